using System.Net;
using CloudCoreLb.HealthCheck.Collections;
using CloudCoreLb.Vrrp;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// The <c>vrrp:</c> section. The reader only turns text into typed values; every rule about those values is
/// <see cref="VrrpInstanceOptionsValidator"/>'s, reported here at the key it came from, so <c>check</c> refuses
/// exactly what an instance would refuse at start. Defaults are the option type's own.
/// </summary>
internal static partial class ConfigLoader
{
    private static readonly VrrpInstanceOptions VrrpDefaults = new();

    private static readonly IReadOnlyDictionary<string, VrrpAuthType> AuthTypes = new Dictionary<string, VrrpAuthType>
    {
        ["none"] = VrrpAuthType.None,
        ["pass"] = VrrpAuthType.SimpleText,
    };

    /// <summary>Where each option is written in an instance's mapping, for errors that point at the line.</summary>
    private static readonly IReadOnlyDictionary<string, string> VrrpKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(VrrpInstanceOptions.Name)] = "name",
        [nameof(VrrpInstanceOptions.Interface)] = "interface",
        [nameof(VrrpInstanceOptions.VirtualRouterId)] = "virtual_router_id",
        [nameof(VrrpInstanceOptions.Priority)] = "priority",
        [nameof(VrrpInstanceOptions.AdvertInterval)] = "advert_int",
        [nameof(VrrpInstanceOptions.AuthType)] = "authentication.type",
        [nameof(VrrpInstanceOptions.AuthPassword)] = "authentication.password",
        [nameof(VrrpInstanceOptions.VirtualAddresses)] = "virtual_addresses",
        [nameof(VrrpInstanceOptions.Preempt)] = "preempt",
        [nameof(VrrpInstanceOptions.PreemptDelay)] = "preempt_delay",
        [nameof(VrrpInstanceOptions.MulticastGroup)] = "multicast_group",
        [nameof(VrrpInstanceOptions.MulticastGroup6)] = "multicast_group6",
        [nameof(VrrpInstanceOptions.UnicastSourceAddress)] = "unicast.source",
        [nameof(VrrpInstanceOptions.UnicastPeers)] = "unicast.peers",
        [nameof(VrrpInstanceOptions.GarpMasterRepeat)] = "garp.master_repeat",
        [nameof(VrrpInstanceOptions.GarpMasterDelay)] = "garp.master_delay",
        [nameof(VrrpInstanceOptions.GarpMasterRefresh)] = "garp.master_refresh",
        [nameof(VrrpInstanceOptions.GarpMasterRefreshRepeat)] = "garp.master_refresh_repeat",
        [nameof(VrrpInstanceOptions.GarpLowerPriorityRepeat)] = "garp.lower_priority_repeat",
        [nameof(VrrpInstanceOptions.GarpLowerPriorityDelay)] = "garp.lower_priority_delay",
        [nameof(VrrpInstanceOptions.AddressLabel)] = "address_label",
        [nameof(VrrpInstanceOptions.DownTimerAdverts)] = "down_timer_adverts",
        [nameof(VrrpInstanceOptions.Version)] = "version",
        [nameof(VrrpInstanceOptions.AcceptMode)] = "accept_mode",
        [nameof(VrrpInstanceOptions.TrackedInterfaces)] = "track_interfaces",
        [nameof(VrrpInstanceOptions.HigherPrioritySendAdvert)] = "higher_priority_send_advert",
    };

    /// <summary>The options a <c>nodes:</c> block may set, by their key there.</summary>
    private static readonly IReadOnlyDictionary<string, string> NodeKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(VrrpInstanceOptions.Priority)] = "priority",
        [nameof(VrrpInstanceOptions.UnicastSourceAddress)] = "unicast_source",
        [nameof(VrrpInstanceOptions.Interface)] = "interface",
    };

    private static List<VrrpInstanceConfig> ReadVrrp(YamlReader r, YamlMappingNode? vrrp, string nodeName, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        var instances = new List<(VrrpInstanceConfig Config, YamlMappingNode Node)>();
        if (vrrp is null)
        {
            return [];
        }

        r.CheckKeys(vrrp, "vrrp", "instances", "strict", "sync_groups");
        var strict = r.Bool(vrrp, "vrrp", "strict") ?? false;
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
                instances.Add((instance, map));
                if (strict)
                {
                    VrrpStrictMode.Check(r, instance, map, path);
                }
            }
        }

        CheckUnique(r, instances);
        return instances.ConvertAll(i => i.Config);
    }

    private static VrrpInstanceConfig? ReadInstance(YamlReader r, YamlMappingNode map, string path, string nodeName, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        r.CheckKeys(map, path, "name", "interface", "virtual_router_id", "priority", "advert_int", "authentication",
            "multicast_group", "multicast_group6", "virtual_addresses", "address_label", "preempt", "preempt_delay", "unicast", "garp",
            "down_timer_adverts", "nodes", "track", "notify", "version", "accept_mode", "track_interfaces",
            "higher_priority_send_advert");
        var errorsBefore = r.Errors.Count;
        var auth = ReadAuthentication(r, map, path);
        var unicast = ReadUnicast(r, r.Mapping(map, path, "unicast"), YamlReader.Join(path, "unicast"));
        var garp = r.Mapping(map, path, "garp");
        var garpPath = YamlReader.Join(path, "garp");
        if (garp is not null)
        {
            r.CheckKeys(garp, garpPath, "master_repeat", "master_delay", "master_refresh", "master_refresh_repeat",
                "lower_priority_repeat", "lower_priority_delay");
        }

        var d = VrrpDefaults;
        var version = ReadVersion(r, map, path) ?? d.Version;
        var o = new VrrpInstanceOptions
        {
            Name = r.String(map, path, "name", required: true) ?? "",
            Interface = r.String(map, path, "interface") ?? d.Interface,
            VirtualRouterId = r.Int(map, path, "virtual_router_id", required: true) ?? d.VirtualRouterId,
            Priority = r.Int(map, path, "priority") ?? d.Priority,
            Version = version,
            AcceptMode = r.Bool(map, path, "accept_mode") ?? d.AcceptMode,
            AdvertInterval = ReadAdvertInterval(r, map, path, version) ?? d.AdvertInterval,
            AuthType = auth.Type ?? d.AuthType,
            AuthPassword = auth.Password,
            MulticastGroup = r.Address(map, path, "multicast_group", requireIPv4: true) ?? d.MulticastGroup,
            MulticastGroup6 = r.Address(map, path, "multicast_group6") ?? d.MulticastGroup6,
            VirtualAddresses = ReadVirtualAddresses(r, map, path),
            Preempt = r.Bool(map, path, "preempt") ?? d.Preempt,
            PreemptDelay = r.Duration(map, path, "preempt_delay") ?? d.PreemptDelay,
            UnicastSourceAddress = unicast.Source,
            UnicastPeers = unicast.Peers,
            AddressLabel = r.String(map, path, "address_label"),
            DownTimerAdverts = r.Int(map, path, "down_timer_adverts") ?? d.DownTimerAdverts,
            TrackedInterfaces = ReadTrackedInterfaces(r, map, path),
            HigherPrioritySendAdvert = r.Bool(map, path, "higher_priority_send_advert") ?? d.HigherPrioritySendAdvert,
        };

        if (garp is not null)
        {
            o = o with
            {
                GarpMasterRepeat = r.Int(garp, garpPath, "master_repeat") ?? d.GarpMasterRepeat,
                GarpMasterDelay = r.Duration(garp, garpPath, "master_delay") ?? d.GarpMasterDelay,
                GarpMasterRefresh = r.Duration(garp, garpPath, "master_refresh") ?? d.GarpMasterRefresh,
                GarpMasterRefreshRepeat = r.Int(garp, garpPath, "master_refresh_repeat") ?? d.GarpMasterRefreshRepeat,
                GarpLowerPriorityRepeat = r.Int(garp, garpPath, "lower_priority_repeat") ?? d.GarpLowerPriorityRepeat,
                GarpLowerPriorityDelay = r.Duration(garp, garpPath, "lower_priority_delay") ?? d.GarpLowerPriorityDelay,
            };
        }

        o = ApplyNodeOverrides(r, map, path, nodeName, o);
        var tracks = ReadTracks(r, map, path, checks);
        var notify = ReadNotify(r, r.Mapping(map, path, "notify"), YamlReader.Join(path, "notify"));
        if (o.Priority == 255 && tracks.Any(t => (t.Weight ?? t.Definition.Options.Weight) != 0))
        {
            // keepalived drops weighted trackers from an owner with a config error; saying so is kinder.
            r.Error(YamlReader.Get(map, "track"), YamlReader.Join(path, "track"),
                "an address owner (priority 255) ignores weighted tracking; use weight 0 (fault) or a lower priority");
        }

        return r.Errors.Count == errorsBefore
            ? new VrrpInstanceConfig { Options = o, Tracks = tracks, Notify = notify }
            : null;
    }

    private static (VrrpAuthType? Type, string? Password) ReadAuthentication(YamlReader r, YamlMappingNode map, string path)
    {
        var authPath = YamlReader.Join(path, "authentication");
        if (r.Mapping(map, path, "authentication") is not { } auth)
        {
            return (null, null);
        }

        r.CheckKeys(auth, authPath, "type", "password");
        var type = r.Enum(auth, authPath, "type", AuthTypes);
        var password = r.String(auth, authPath, "password");

        // A wrong type was reported already; no second error about its password.
        return type is null && YamlReader.Get(auth, "type") is not null ? (null, null) : (type, password);
    }

    private static ValueList<VirtualAddress> ReadVirtualAddresses(YamlReader r, YamlMappingNode map, string path)
    {
        var list = r.Sequence(map, path, "virtual_addresses", required: true);
        var addresses = new List<VirtualAddress>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{path}.virtual_addresses[{i}]";
            var text = r.Scalar(list[i], itemPath);
            if (text is null)
            {
                continue;
            }

            if (ParseVirtualAddress(text) is not { } address)
            {
                r.Error(list[i], itemPath, $"'{text}' is not an IPv4 or IPv6 address with an optional /prefix (IPv4 1-32, IPv6 1-128) and an optional 'dev INTERFACE'");
                continue;
            }

            addresses.Add(address);
        }

        return ValueList.Create<VirtualAddress>([.. addresses]);
    }

    private static (IPAddress? Source, ValueList<IPAddress> Peers) ReadUnicast(YamlReader r, YamlMappingNode? unicast, string path)
    {
        if (unicast is null)
        {
            return (null, []);
        }

        r.CheckKeys(unicast, path, "source", "peers");
        var source = r.Address(unicast, path, "source", requireIPv4: true);
        var items = r.Sequence(unicast, path, "peers");
        var peers = new List<IPAddress>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (r.Address(items[i], $"{path}.peers[{i}]", requireIPv4: true) is { } peer)
            {
                peers.Add(peer);
            }
        }

        if (items.Count == 0 && YamlReader.Get(unicast, "peers") is not null)
        {
            r.Error(unicast, YamlReader.Join(path, "peers"), "unicast mode needs at least one peer");
        }

        return (source, ValueList.Create<IPAddress>([.. peers]));
    }

    /// <summary>
    /// Applies this node's <c>nodes:</c> block and reports what the validator finds in the options, each at the key
    /// it came from. Every node's block is validated, not only ours: a typo or an out-of-range priority for master3
    /// must fail on master1 too.
    /// </summary>
    private static VrrpInstanceOptions ApplyNodeOverrides(YamlReader r, YamlMappingNode map, string path, string nodeName, VrrpInstanceOptions options)
    {
        var nodesPath = YamlReader.Join(path, "nodes");
        var mine = options;
        YamlMappingNode? myBlock = null;
        string? myBlockPath = null;
        if (r.Mapping(map, path, "nodes") is { } nodes)
        {
            foreach (var (key, value) in nodes.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                var nodePath = YamlReader.Join(nodesPath, name);
                if (value is not YamlMappingNode block)
                {
                    r.Error(value, nodePath, "expected the per-node values as a mapping");
                    continue;
                }

                r.CheckKeys(block, nodePath, [.. NodeKeys.Values]);
                var merged = options with
                {
                    Priority = r.Int(block, nodePath, "priority") ?? options.Priority,
                    UnicastSourceAddress = r.Address(block, nodePath, "unicast_source", requireIPv4: true) ?? options.UnicastSourceAddress,
                    Interface = r.String(block, nodePath, "interface") ?? options.Interface,
                };
                if (string.Equals(name, nodeName, StringComparison.Ordinal))
                {
                    (mine, myBlock, myBlockPath) = (merged, block, nodePath);
                }
                else
                {
                    // Other nodes: only what their own block sets (the rest is reported once, for this node).
                    ReportValidation(r, map, path, merged, (block, nodePath), onlyNodeKeys: true);
                }
            }
        }

        if (mine.UnicastSourceAddress is { } source && mine.UnicastPeers.Contains(source))
        {
            // The same file lists every node as a peer; a node never sends to itself.
            mine = mine with { UnicastPeers = mine.UnicastPeers.RemoveAll(source.Equals) };
        }

        ReportValidation(r, map, path, mine, myBlock is null ? null : (myBlock, myBlockPath!), onlyNodeKeys: false);
        return mine;
    }

    private static void ReportValidation(YamlReader r, YamlMappingNode map, string path, VrrpInstanceOptions options, (YamlMappingNode Map, string Path)? block, bool onlyNodeKeys)
    {
        foreach (var error in VrrpInstanceOptionsValidator.Validate(options))
        {
            (YamlMappingNode Map, string Path) where = (map, path);
            var key = VrrpKeys.GetValueOrDefault(error.Option, "");
            if (block is { } b && NodeKeys.TryGetValue(error.Option, out var nodeKey) && YamlReader.Get(b.Map, nodeKey) is not null)
            {
                (where, key) = (b, nodeKey);
            }
            else if (onlyNodeKeys)
            {
                continue;
            }

            if (error.Index is { } index)
            {
                key += $"[{index}]";
            }

            var fullKey = key.Length == 0 ? where.Path : YamlReader.Join(where.Path, key);

            // A value the reader could not parse was reported already; its default is not a second problem.
            if (!r.Errors.Any(e => e.Key == fullKey))
            {
                r.Error(YamlReader.At(where.Map, key), fullKey, error.Message);
            }
        }
    }

    private static void CheckUnique(YamlReader r, List<(VrrpInstanceConfig Config, YamlMappingNode Node)> instances)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var a = instances[i].Config.Options;
                var b = instances[j].Config.Options;
                if (a.Name == b.Name)
                {
                    r.Error(instances[i].Node, $"vrrp.instances[{i}].name", $"instance name '{a.Name}' is already used at line {instances[j].Node.Start.Line}");
                }

                if (a.VirtualRouterId == b.VirtualRouterId && a.Interface == b.Interface && a.AdvertGroup.Equals(b.AdvertGroup))
                {
                    r.Error(instances[i].Node, $"vrrp.instances[{i}].virtual_router_id",
                        $"virtual_router_id {a.VirtualRouterId} is already used on {a.Interface} by instance '{b.Name}'");
                }
            }
        }
    }

    private static ValueList<TrackReference> ReadTracks(YamlReader r, YamlMappingNode map, string path, IReadOnlyDictionary<string, CheckDefinition> checks)
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

            if (!checks.TryGetValue(name, out var definition))
            {
                r.Error(YamlReader.Get(entry, "check"), YamlReader.Join(itemPath, "check"),
                    checks.Count == 0 ? $"no check named '{name}'; define it under checks:" : $"no check named '{name}'; defined checks: {string.Join(", ", checks.Keys)}");
                continue;
            }

            tracks.Add(new TrackReference(definition, weight));
        }

        return ValueList.Create<TrackReference>([.. tracks]);
    }

    private static NotifyCommands ReadNotify(YamlReader r, YamlMappingNode? notify, string path)
    {
        if (notify is null)
        {
            return NotifyCommands.None;
        }

        r.CheckKeys(notify, path, "master", "backup", "fault", "stop", "any");
        return new NotifyCommands(
            NotifyCommand(r, notify, path, "master"),
            NotifyCommand(r, notify, path, "backup"),
            NotifyCommand(r, notify, path, "fault"),
            NotifyCommand(r, notify, path, "stop"),
            NotifyCommand(r, notify, path, "any"));
    }

    private static string? NotifyCommand(YamlReader r, YamlMappingNode notify, string path, string key)
    {
        var command = r.String(notify, path, key);
        if (command is not null)
        {
            foreach (var problem in NotifyCommandSecurity.Validate(command, Environment.GetEnvironmentVariable("PATH")))
            {
                r.Error(YamlReader.Get(notify, key), YamlReader.Join(path, key), problem);
            }
        }

        return command;
    }
}
