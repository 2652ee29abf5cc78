using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Import.Keepalived;

/// <summary><c>global_defs</c> and the gratuitous ARP settings it shares with instances (<c>vrrp_garp_*</c> / <c>garp_*</c>).</summary>
internal sealed partial class KeepalivedParser
{
    private void ReadGlobals(KeepalivedConfig config, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "router_id":
                    config.RouterId = Value(node) ?? config.RouterId;
                    break;
                case "vrrp_mcast_group4":
                    if (Value(node) is { } group)
                    {
                        if (IPAddress.TryParse(group, out var address) && address.AddressFamily == AddressFamily.InterNetwork
                            && address.GetAddressBytes()[0] is >= 224 and <= 239)
                        {
                            config.MulticastGroup = address.ToString();
                        }
                        else
                        {
                            Warn(node, $"vrrp_mcast_group4 {group} is not an IPv4 multicast address; keepalived keeps 224.0.0.18");
                        }
                    }

                    break;
                case "script_user":
                    config.ScriptUser = User(node) ?? config.ScriptUser;
                    break;
                case "vrrp_strict":
                    config.Strict = Flag(node);
                    break;
                case "vrrp_higher_prio_send_advert":
                    config.HigherPrioritySendAdvert = Flag(node);
                    break;
                case "enable_script_security":
                    config.EnableScriptSecurity = Flag(node);
                    break;
                default:
                    if (!ReadGlobalV3(config, node) && !ReadGarp(node, config.Garp, "vrrp_garp_"))
                    {
                        NotCarried(node);
                    }

                    break;
            }
        }
    }

    private bool ReadGarp(KeepalivedNode node, KeepalivedGarp garp, string prefix)
    {
        if (!node.Keyword.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        switch (node.Keyword[prefix.Length..])
        {
            case "master_delay":
                garp.MasterDelay = Seconds(node) ?? garp.MasterDelay;
                return true;
            case "master_repeat":
                garp.MasterRepeat = Integer(node, 1, 255) ?? garp.MasterRepeat;
                return true;
            case "master_refresh":
                garp.MasterRefresh = Seconds(node) ?? garp.MasterRefresh;
                return true;
            case "master_refresh_repeat":
                garp.MasterRefreshRepeat = Integer(node, 1, 255) ?? garp.MasterRefreshRepeat;
                return true;
            case "lower_prio_delay":
                garp.LowerPriorityDelay = Seconds(node) ?? garp.LowerPriorityDelay;
                return true;
            case "lower_prio_repeat":
                garp.LowerPriorityRepeat = Integer(node, 0, 255) ?? garp.LowerPriorityRepeat;
                return true;
            default:
                return false;
        }
    }
}
