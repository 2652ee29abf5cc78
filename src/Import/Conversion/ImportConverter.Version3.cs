using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>VRRPv3 instances: <c>version: 3</c>, a centisecond <c>advert_int</c>, and what v3 has no room for.</summary>
internal sealed partial class ImportConverter
{
    private void WriteVersionAndInterval(KeepalivedInstance instance)
    {
        if (instance.Version == 3)
        {
            _yaml.Value("version", 3, "keepalived vrrp_version 3 (RFC 5798)");
        }
        else if (IsIPv6(instance))
        {
            // keepalived runs an IPv6 instance as version 3 whatever vrrp_version says: VRRPv2 is IPv4 only.
            _yaml.Value("version", 3, "IPv6 virtual addresses: VRRPv3 (RFC 5798), as keepalived runs them");
        }

        _yaml.Value("advert_int", Duration(instance.AdvertInterval ?? TimeSpan.FromSeconds(1)));
        if (instance.AcceptMode == false)
        {
            // keepalived's no_accept drops traffic to the VIPs with firewall rules; the proxy serves them, so it must accept.
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: no_accept is not carried over: the proxy serves the virtual addresses, so the master accepts traffic to them (accept_mode: true)");
        }
    }

    /// <summary>The group of an IPv6 instance, when keepalived's <c>vrrp_mcast_group6</c> sets one.</summary>
    private void WriteMulticastGroup6(KeepalivedConfig config, KeepalivedInstance instance)
    {
        if (config.MulticastGroup6 is { } group && IsIPv6(instance))
        {
            _yaml.Value("multicast_group6", group, "keepalived vrrp_mcast_group6");
        }
    }

    // The family of the first address decides, as in keepalived (which refuses a mix).
    private static bool IsIPv6(KeepalivedInstance instance) =>
        instance.VirtualAddresses.Count > 0 && instance.VirtualAddresses[0].Address.Contains(':', StringComparison.Ordinal);

    private void WarnVersion3Authentication(KeepalivedInstance instance)
    {
        if (instance.AuthType is not null)
        {
            // keepalived ignores it too: the v3 header has no authentication field (RFC 5798 §5.1).
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: authentication is not carried over: VRRPv3 has none (keepalived ignores it with vrrp_version 3)");
        }
    }
}
