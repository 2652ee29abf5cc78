using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Vrrp;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>The <c>vrrp:</c> section.</summary>
internal static partial class ConfigLoader
{
    private static readonly IReadOnlyDictionary<string, VrrpAuthType> AuthTypes = new Dictionary<string, VrrpAuthType>
    {
        ["none"] = VrrpAuthType.None,
        ["pass"] = VrrpAuthType.SimpleText,
    };

    private static List<VrrpInstanceConfig> ReadVrrp(YamlReader r, YamlMappingNode? vrrp, string nodeName, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        var instances = new List<VrrpInstanceConfig>();
        if (vrrp is null)
        {
            return instances;
        }

        r.CheckKeys(vrrp, "vrrp", "instances");
        var items = r.Sequence(vrrp, "vrrp", "instances");
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"vrrp.instances[{i}]";
            if (items[i] is not YamlMappingNode map)
            {
                r.Error(items[i], path, "expected a mapping describing one instance");
                continue;
            }

            if (ReadInstance(r, map, path, nodeName, checks) is { } instance)
            {
                instances.Add(instance);
            }
        }

        CheckUnique(r, instances);
        return instances;
    }

    private static VrrpInstanceConfig? ReadInstance(YamlReader r, YamlMappingNode map, string path, string nodeName, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        r.CheckKeys(map, path, "name", "interface", "virtual_router_id", "priority", "advert_int", "authentication",
            "multicast_group", "virtual_addresses", "address_label", "preempt", "preempt_delay", "unicast", "garp",
            "down_timer_adverts", "nodes", "track", "notify");
        var errorsBefore = r.Errors.Count;
        var o = new VrrpInstanceOptions
        {
            Name = r.String(map, path, "name", required: true) ?? "",
            Interface = r.String(map, path, "interface") ?? "eth0",
            VirtualRouterId = (byte)(r.Int(map, path, "virtual_router_id", 1, 255, required: true) ?? 1),
            Priority = (byte)(r.Int(map, path, "priority", 1, 255) ?? 100),
            Preempt = r.Bool(map, path, "preempt") ?? true,
            PreemptDelay = r.Duration(map, path, "preempt_delay", TimeSpan.Zero, TimeSpan.FromSeconds(1000)) ?? TimeSpan.Zero,
            AddressLabel = r.String(map, path, "address_label"),
            DownTimerAdverts = r.Int(map, path, "down_timer_adverts", 1, 100) ?? 3,
        };

        if (o.Interface.Length is 0 or > 15)
        {
            r.Error(YamlReader.Get(map, "interface"), YamlReader.Join(path, "interface"), "an interface name has 1 to 15 characters");
        }

        if (o.AddressLabel is { Length: > 15 })
        {
            r.Error(YamlReader.Get(map, "address_label"), YamlReader.Join(path, "address_label"), "an address label has at most 15 characters (IFNAMSIZ)");
        }

        if (r.Duration(map, path, "advert_int", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(255)) is { } advert)
        {
            if (advert.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                r.Error(YamlReader.Get(map, "advert_int"), YamlReader.Join(path, "advert_int"),
                    "VRRPv2 carries whole seconds (RFC 3768 §5.3.7); use 1s..255s");
            }

            o.AdvertInterval = advert;
        }

        if (r.Address(map, path, "multicast_group", requireIPv4: true) is { } group)
        {
            if (group.GetAddressBytes()[0] is < 224 or > 239)
            {
                r.Error(YamlReader.Get(map, "multicast_group"), YamlReader.Join(path, "multicast_group"), $"{group} is not a multicast address");
            }

            o.MulticastGroup = group;
        }

        ReadAuthentication(r, map, path, o);
        ReadVirtualAddresses(r, map, path, o);
        ReadUnicast(r, r.Mapping(map, path, "unicast"), YamlReader.Join(path, "unicast"), o);
        ReadGarp(r, map, path, o);
        ReadNodeOverrides(r, map, path, nodeName, o);
        var tracks = ReadTracks(r, map, path, checks);
        var notify = ReadNotify(r, r.Mapping(map, path, "notify"), YamlReader.Join(path, "notify"));
        if (o.Priority == 255 && tracks.Any(t => (t.Weight ?? checks.GetValueOrDefault(t.Check)?.Options.Weight ?? 0) != 0))
        {
            // keepalived drops weighted trackers from an owner with a config error; saying so is kinder.
            r.Error(YamlReader.Get(map, "track"), YamlReader.Join(path, "track"),
                "an address owner (priority 255) ignores weighted tracking; use weight 0 (fault) or a lower priority");
        }

        return r.Errors.Count == errorsBefore
            ? new VrrpInstanceConfig { Options = o, Node = map, Tracks = tracks, Notify = notify }
            : null;
    }

    private static void ReadAuthentication(YamlReader r, YamlMappingNode map, string path, VrrpInstanceOptions o)
    {
        var authPath = YamlReader.Join(path, "authentication");
        if (r.Mapping(map, path, "authentication") is not { } auth)
        {
            return;
        }

        r.CheckKeys(auth, authPath, "type", "password");
        var type = r.Enum(auth, authPath, "type", AuthTypes);
        o.AuthType = type ?? VrrpAuthType.None;
        o.AuthPassword = r.String(auth, authPath, "password");
        if (type is null && YamlReader.Get(auth, "type") is not null)
        {
            // The type itself was wrong; one error is enough.
            return;
        }

        if (o.AuthType == VrrpAuthType.SimpleText)
        {
            if (string.IsNullOrEmpty(o.AuthPassword))
            {
                r.Error(auth, YamlReader.Join(authPath, "password"), "type pass needs a password");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(o.AuthPassword) > 8)
            {
                // keepalived truncates with only a log line; peers then disagree on the password silently.
                r.Error(YamlReader.Get(auth, "password"), YamlReader.Join(authPath, "password"),
                    "VRRPv2 carries 8 bytes of password (RFC 3768 §5.3.10); a longer one would be truncated");
            }
        }
        else if (o.AuthPassword is not null)
        {
            r.Error(YamlReader.Get(auth, "password"), YamlReader.Join(authPath, "password"), "a password needs type: pass");
        }
    }

    private static void ReadVirtualAddresses(YamlReader r, YamlMappingNode map, string path, VrrpInstanceOptions o)
    {
        var list = r.Sequence(map, path, "virtual_addresses", required: true);
        if (list.Count == 0 && YamlReader.Get(map, "virtual_addresses") is { } empty)
        {
            r.Error(empty, YamlReader.Join(path, "virtual_addresses"), "at least one virtual address is needed");
        }

        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{path}.virtual_addresses[{i}]";
            var text = r.Scalar(list[i], itemPath);
            if (text is null)
            {
                continue;
            }

            var slash = text.IndexOf('/');
            var prefix = 32;
            var ok = IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address)
                && address.AddressFamily == AddressFamily.InterNetwork
                && (slash < 0 || (int.TryParse(text[(slash + 1)..], out prefix) && prefix is >= 1 and <= 32));
            if (!ok)
            {
                r.Error(list[i], itemPath, $"'{text}' is not an IPv4 address with an optional /prefix (1-32)");
                continue;
            }

            var vip = new VirtualAddress(address!, prefix);
            if (o.VirtualAddresses.Any(v => v.Address.Equals(vip.Address)))
            {
                r.Error(list[i], itemPath, $"{vip.Address} is listed twice");
                continue;
            }

            o.VirtualAddresses.Add(vip);
        }

        if (o.VirtualAddresses.Count > 20)
        {
            r.Error(YamlReader.Get(map, "virtual_addresses"), YamlReader.Join(path, "virtual_addresses"), "at most 20 virtual addresses per instance (keep adverts small)");
        }
    }

    private static void ReadUnicast(YamlReader r, YamlMappingNode? unicast, string path, VrrpInstanceOptions o)
    {
        if (unicast is null)
        {
            return;
        }

        r.CheckKeys(unicast, path, "source", "peers");
        o.UnicastSourceAddress = r.Address(unicast, path, "source", requireIPv4: true) ?? o.UnicastSourceAddress;
        var peers = r.Sequence(unicast, path, "peers");
        o.UnicastPeers.Clear();
        for (var i = 0; i < peers.Count; i++)
        {
            if (r.Address(peers[i], $"{path}.peers[{i}]", requireIPv4: true) is { } peer)
            {
                o.UnicastPeers.Add(peer);
            }
        }

        if (peers.Count == 0 && YamlReader.Get(unicast, "peers") is not null)
        {
            r.Error(unicast, YamlReader.Join(path, "peers"), "unicast mode needs at least one peer");
        }
    }

    private static void ReadGarp(YamlReader r, YamlMappingNode map, string path, VrrpInstanceOptions o)
    {
        var garpPath = YamlReader.Join(path, "garp");
        if (r.Mapping(map, path, "garp") is not { } garp)
        {
            return;
        }

        r.CheckKeys(garp, garpPath, "master_repeat", "master_delay", "master_refresh", "master_refresh_repeat",
            "lower_priority_repeat", "lower_priority_delay");
        o.GarpMasterRepeat = r.Int(garp, garpPath, "master_repeat", 1, 255) ?? o.GarpMasterRepeat;
        o.GarpMasterDelay = r.Duration(garp, garpPath, "master_delay", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? o.GarpMasterDelay;
        o.GarpMasterRefresh = r.Duration(garp, garpPath, "master_refresh", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? o.GarpMasterRefresh;
        o.GarpMasterRefreshRepeat = r.Int(garp, garpPath, "master_refresh_repeat", 1, 255) ?? o.GarpMasterRefreshRepeat;
        o.GarpLowerPriorityRepeat = r.Int(garp, garpPath, "lower_priority_repeat", 0, 255) ?? o.GarpLowerPriorityRepeat;
        o.GarpLowerPriorityDelay = r.Duration(garp, garpPath, "lower_priority_delay", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? o.GarpLowerPriorityDelay;
    }

    private static void ReadNodeOverrides(YamlReader r, YamlMappingNode map, string path, string nodeName, VrrpInstanceOptions o)
    {
        var nodesPath = YamlReader.Join(path, "nodes");
        if (r.Mapping(map, path, "nodes") is not { } nodes)
        {
            return;
        }

        foreach (var (key, value) in nodes.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var nodePath = YamlReader.Join(nodesPath, name);
            if (value is not YamlMappingNode node)
            {
                r.Error(value, nodePath, "expected the per-node values as a mapping");
                continue;
            }

            // Every node's block is validated, not only ours: a typo for master3 must fail on master1 too.
            r.CheckKeys(node, nodePath, "priority", "unicast_source", "interface");
            var priority = r.Int(node, nodePath, "priority", 1, 255);
            var source = r.Address(node, nodePath, "unicast_source", requireIPv4: true);
            var iface = r.String(node, nodePath, "interface");
            if (!string.Equals(name, nodeName, StringComparison.Ordinal))
            {
                continue;
            }

            o.Priority = (byte)(priority ?? o.Priority);
            o.UnicastSourceAddress = source ?? o.UnicastSourceAddress;
            o.Interface = iface ?? o.Interface;
        }

        if (o.UnicastSourceAddress is { } src && o.UnicastPeers.Contains(src))
        {
            // The same file lists every node as a peer; a node never sends to itself.
            o.UnicastPeers.Remove(src);
        }
    }

    private static void CheckUnique(YamlReader r, List<VrrpInstanceConfig> instances)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var a = instances[i].Options;
                var b = instances[j].Options;
                if (a.Name == b.Name)
                {
                    r.Error(instances[i].Node, $"vrrp.instances[{i}].name", $"instance name '{a.Name}' is already used at line {instances[j].Node.Start.Line}");
                }

                if (a.VirtualRouterId == b.VirtualRouterId && a.Interface == b.Interface && a.MulticastGroup.Equals(b.MulticastGroup))
                {
                    r.Error(instances[i].Node, $"vrrp.instances[{i}].virtual_router_id",
                        $"virtual_router_id {a.VirtualRouterId} is already used on {a.Interface} by instance '{b.Name}'");
                }
            }
        }
    }

    private static List<TrackReference> ReadTracks(YamlReader r, YamlMappingNode map, string path, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        var tracks = new List<TrackReference>();
        var items = r.Sequence(map, path, "track");
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}.track[{i}]";
            if (items[i] is not YamlMappingNode entry)
            {
                r.Error(items[i], itemPath, "expected { check: NAME, weight: W }");
                continue;
            }

            r.CheckKeys(entry, itemPath, "check", "weight");
            var name = r.String(entry, itemPath, "check", required: true);
            var weight = r.Int(entry, itemPath, "weight", -253, 253);
            if (name is null)
            {
                continue;
            }

            if (!checks.ContainsKey(name))
            {
                r.Error(YamlReader.Get(entry, "check"), YamlReader.Join(itemPath, "check"),
                    checks.Count == 0 ? $"no check named '{name}'; define it under checks:" : $"no check named '{name}'; defined checks: {string.Join(", ", checks.Keys)}");
                continue;
            }

            tracks.Add(new TrackReference(name, weight));
        }

        return tracks;
    }

    private static NotifyCommands ReadNotify(YamlReader r, YamlMappingNode? notify, string path)
    {
        if (notify is null)
        {
            return NotifyCommands.None;
        }

        r.CheckKeys(notify, path, "master", "backup", "fault", "stop", "any");
        return new NotifyCommands(
            r.String(notify, path, "master"),
            r.String(notify, path, "backup"),
            r.String(notify, path, "fault"),
            r.String(notify, path, "stop"),
            r.String(notify, path, "any"));
    }
}
