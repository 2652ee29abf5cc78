using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.Import.Keepalived;

/// <summary><c>vrrp_instance</c> blocks and their nested blocks (authentication, addresses, tracking, peers).</summary>
internal sealed partial class KeepalivedParser
{
    private KeepalivedInstance ReadInstance(KeepalivedInstance instance, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "state":
                    if (Value(node) is { } state)
                    {
                        if (state is "MASTER" or "BACKUP")
                        {
                            instance.State = state;
                        }
                        else
                        {
                            Warn(node, $"state '{state}' is not MASTER or BACKUP (exact case); keepalived uses BACKUP");
                            instance.State = "BACKUP";
                        }
                    }

                    break;
                case "interface":
                    instance.Interface = Value(node) ?? instance.Interface;
                    break;
                case "virtual_router_id":
                    instance.VirtualRouterId = Integer(node, 1, 255) ?? instance.VirtualRouterId;
                    break;
                case "priority":
                    instance.Priority = Integer(node, 1, 255) ?? instance.Priority;
                    break;
                case "advert_int":
                    if (Seconds(node) is { } advert)
                    {
                        // Whole seconds or centiseconds depends on the version, which may come later (ResolveVersions).
                        instance.AdvertInterval = advert;
                        _advertNodes[instance] = node;
                    }

                    break;
                case "authentication":
                    if (Block(node) is { } auth)
                    {
                        ReadAuthentication(instance, auth);
                    }

                    break;
                case "virtual_ipaddress":
                    foreach (var entry in Block(node) ?? [])
                    {
                        ReadVirtualAddress(instance, entry);
                    }

                    break;
                case "track_script":
                    ReadTrackScripts(instance, node);
                    break;
                case "track_interface":
                    ReadTrackInterfaces(instance.TrackInterfaces, node);
                    break;
                case "nopreempt":
                    instance.NoPreempt = Flag(node);
                    break;
                case "preempt":
                    instance.NoPreempt = !Flag(node);
                    break;
                case "higher_prio_send_advert":
                    instance.HigherPrioritySendAdvert = Flag(node);
                    break;
                case "preempt_delay":
                    instance.PreemptDelay = Seconds(node) ?? instance.PreemptDelay;
                    break;
                case "unicast_src_ip" or "mcast_src_ip":
                    instance.SourceAddress = Address(node) ?? instance.SourceAddress;
                    break;
                case "unicast_peer":
                    ReadUnicastPeers(instance, node);
                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop":
                    if (Command(node, extraAllowed: 2) is { } command)
                    {
                        instance.Notify[node.Keyword["notify_".Length..]] = command;
                    }

                    break;
                case "notify":
                    // The generic notify: notify.any, run with keepalived's four arguments (INSTANCE name STATE priority).
                    if (Command(node, extraAllowed: 2) is { } generic)
                    {
                        instance.Notify["any"] = generic;
                    }

                    break;
                default:
                    if (!ReadInstanceV3(instance, node) && !ReadGarp(node, instance.Garp, "garp_"))
                    {
                        NotCarried(node);
                    }

                    break;
            }
        }

        if (instance.State == "MASTER" && instance.EffectivePriority != 255)
        {
            // keepalived 2.x (vrrp_init_state): MASTER without priority 255 starts as BACKUP and wins by election.
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: 'state MASTER' with priority {instance.EffectivePriority} is only a start hint (keepalived starts it as BACKUP); the priority decides, so it becomes a comment");
        }

        return instance;
    }

    /// <summary><c>track_script { name [weight W] [reverse|noreverse] }</c>.</summary>
    private void ReadTrackScripts(KeepalivedInstance instance, KeepalivedNode node)
    {
        foreach (var entry in Block(node) ?? [])
        {
            int? weight = null;
            var args = entry.Args;
            if (args is ["weight", var w, ..] && int.TryParse(w, CultureInfo.InvariantCulture, out var parsed) && parsed is >= -254 and <= 254)
            {
                weight = Math.Clamp(parsed, -253, 253);
                args = args.Skip(2).ToArray();
            }

            if (args is ["reverse" or "noreverse", ..])
            {
                if (args[0] == "reverse")
                {
                    Warn(entry, "track_script 'reverse' is not supported; the weight is imported unreversed");
                }

                args = args.Skip(1).ToArray();
            }

            if (args.Count > 0)
            {
                Trailing(entry, args);
            }

            if (instance.TrackScripts.FirstOrDefault(t => t.Name == entry.Keyword) is { } first)
            {
                Repeated(entry, $"track_script '{entry.Keyword}'", first.Line);
                continue;
            }

            instance.TrackScripts.Add(new KeepalivedTrackScript(entry.Keyword, weight, entry.Line.Line));
        }
    }

    private void ReadUnicastPeers(KeepalivedInstance instance, KeepalivedNode node)
    {
        foreach (var entry in Block(node) ?? [])
        {
            if (IPAddress.TryParse(entry.Keyword, out var peer) && peer.AddressFamily == AddressFamily.InterNetwork)
            {
                if (instance.UnicastPeers.Contains(peer.ToString()))
                {
                    Repeated(entry, $"unicast_peer {peer}", line: null);
                    continue;
                }

                instance.UnicastPeers.Add(peer.ToString());
                if (entry.Args.Count > 0)
                {
                    Warn(entry, $"unicast_peer options '{string.Join(' ', entry.Args)}' are not supported; not carried over");
                }
            }
            else
            {
                Warn(entry, $"unicast_peer '{entry.Keyword}' is not an IPv4 address; skipped");
            }
        }
    }

    private void ReadAuthentication(KeepalivedInstance instance, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "auth_type":
                    if (Value(node) is { } type)
                    {
                        if (type == "PASS")
                        {
                            instance.AuthType = type;
                        }
                        else
                        {
                            Warn(node, $"auth_type {type} is not supported (only PASS); the instance is imported without authentication");
                            instance.AuthType = null;
                        }
                    }

                    break;
                case "auth_pass":
                    if (node.Args.Count == 0)
                    {
                        Warn(node, "auth_pass without a value; ignored");
                        break;
                    }

                    if (node.Args.Count > 1)
                    {
                        Warn(node, "keepalived ignores the words after 'auth_pass ********'");
                    }

                    var password = node.Args[0];
                    if (Encoding.UTF8.GetByteCount(password) > 8)
                    {
                        // RFC 3768 §5.3.10: 8 bytes on the wire; keepalived truncates silently, peers with the full
                        // string in another tool would disagree. Importing the truncated value keeps the wire identical.
                        Warn(node, "auth_pass ******** is longer than 8 bytes; keepalived silently sends only the first 8, so the first 8 are imported");
                        password = TruncateUtf8(password, 8);
                    }

                    instance.AuthPassword = password;
                    break;
                default:
                    NotCarried(node);
                    break;
            }
        }
    }

    private void ReadVirtualAddress(KeepalivedInstance instance, KeepalivedNode entry)
    {
        var text = entry.Keyword;
        var slash = text.IndexOf('/');
        // IPv6 VIPs go into VRRPv3 instances (the converter writes version 3 for them, as keepalived runs them).
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address)
            || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (slash >= 0 && !(int.TryParse(text[(slash + 1)..], CultureInfo.InvariantCulture, out var prefix)
                && prefix >= 0 && prefix <= (address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32))))
        {
            Warn(entry, $"virtual address '{text}' is not IPv4 a.b.c.d[/len] or IPv6 x:y::z[/len]; skipped");
            return;
        }

        string? device = null;
        string? label = null;
        var args = entry.Args;
        for (var i = 0; i < args.Count; i++)
        {
            var hasValue = i + 1 < args.Count;
            switch (args[i])
            {
                case "dev" when hasValue:
                    device = args[++i];
                    break;
                case "label" when hasValue:
                    label = args[++i];
                    break;
                case "brd" or "scope" or "peer" or "metric" or "preferred_lft" or "valid_lft" when hasValue:
                    Warn(entry, $"virtual address option '{args[i]} {args[i + 1]}' is not supported; not carried over");
                    i++;
                    break;
                default:
                    Warn(entry, $"virtual address option '{args[i]}' is not supported; not carried over");
                    break;
            }
        }

        // keepalived keeps a repeated address (the kernel has it once); the validator here refuses the repeat.
        if (instance.VirtualAddresses.FirstOrDefault(v => IPAddress.Parse(v.Address.Split('/')[0]).Equals(address)) is { } first)
        {
            Repeated(entry, $"virtual address {address}", first.Line);
            return;
        }

        instance.VirtualAddresses.Add(new KeepalivedVirtualAddress(text, device, label, entry.Line.Line));
    }

    /// <summary>
    /// A list entry given a second time: keepalived accepts it and the effect is that of one, so it is imported once
    /// (the first, with its options) instead of being refused by <c>check</c> as a repeat.
    /// </summary>
    private void Repeated(KeepalivedNode entry, string what, int? line) =>
        Warn(entry, $"{what} is listed again{(line is { } l ? $" (first at line {l})" : "")}; the first entry is kept and this one is dropped");

    private static string TruncateUtf8(string text, int bytes)
    {
        var length = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > bytes)
        {
            length--;
        }

        return text[..length];
    }
}
