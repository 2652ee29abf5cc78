using System.Net;
using CloudCoreLb.HealthCheck.Collections;
using CloudCoreLb.Vrrp;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// <c>vrrp.sync_groups</c>, an instance's <c>track_interfaces</c> and a VIP's <c>dev</c>. A group may only name
/// instances of this file, and an instance may be in one group only: keepalived ignores such a member with a log
/// line, which leaves the instance moving on its own; here the file is refused at the line.
/// </summary>
internal static partial class ConfigLoader
{
    private static List<VrrpSyncGroupConfig> ReadSyncGroups(YamlReader r, YamlMappingNode? vrrp)
    {
        var groups = new List<VrrpSyncGroupConfig>();
        if (vrrp is null)
        {
            return groups;
        }

        // Names as written, also of instances that failed to read: their own error is enough.
        var instanceNames = r.Sequence(vrrp, "vrrp", "instances").OfType<YamlMappingNode>()
            .Select(m => (YamlReader.Get(m, "name") as YamlScalarNode)?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var memberOf = new Dictionary<string, (string Group, YamlNode Node)>(StringComparer.Ordinal);
        var items = r.Sequence(vrrp, "vrrp", "sync_groups");
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"vrrp.sync_groups[{i}]";
            if (items[i] is not YamlMappingNode map)
            {
                r.Error(items[i], path, "expected { name: NAME, instances: [INSTANCE, ...] }");
                continue;
            }

            r.CheckKeys(map, path, "name", "instances", "notify");
            var name = r.String(map, path, "name", required: true);
            if (name is not null && groups.Any(g => g.Name == name))
            {
                r.Error(YamlReader.Get(map, "name"), YamlReader.Join(path, "name"), $"sync group name '{name}' is already used");
            }

            var members = new List<string>();
            var list = r.Sequence(map, path, "instances", required: true);
            if (list.Count == 0 && YamlReader.Get(map, "instances") is not null)
            {
                r.Error(YamlReader.Get(map, "instances"), YamlReader.Join(path, "instances"), "a sync group needs at least one instance");
            }

            for (var j = 0; j < list.Count; j++)
            {
                var itemPath = $"{path}.instances[{j}]";
                if (r.Scalar(list[j], itemPath) is not { } instance)
                {
                    continue;
                }

                if (!instanceNames.Contains(instance))
                {
                    r.Error(list[j], itemPath, $"no instance named '{instance}' under vrrp.instances");
                }
                else if (memberOf.TryGetValue(instance, out var other))
                {
                    r.Error(list[j], itemPath, $"instance '{instance}' is already in sync group '{other.Group}' (line {other.Node.Start.Line}); an instance can be in one sync group only");
                }
                else
                {
                    memberOf[instance] = (name ?? path, list[j]);
                    members.Add(instance);
                }
            }

            if (name is not null)
            {
                var notify = ReadNotify(r, r.Mapping(map, path, "notify"), YamlReader.Join(path, "notify"));
                groups.Add(new VrrpSyncGroupConfig(name, ValueList.Create<string>([.. members]), notify));
            }
        }

        return groups;
    }

    private static ValueList<VrrpTrackedInterface> ReadTrackedInterfaces(YamlReader r, YamlMappingNode map, string path)
    {
        var tracked = new List<VrrpTrackedInterface>();
        var items = r.Sequence(map, path, "track_interfaces");
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}.track_interfaces[{i}]";
            switch (items[i])
            {
                case YamlScalarNode scalar:
                    tracked.Add(new VrrpTrackedInterface(scalar.Value ?? ""));
                    break;
                case YamlMappingNode entry:
                    r.CheckKeys(entry, itemPath, "interface", "weight");
                    var name = r.String(entry, itemPath, "interface", required: true);
                    var weight = r.Int(entry, itemPath, "weight");
                    if (name is not null)
                    {
                        tracked.Add(new VrrpTrackedInterface(name, weight ?? 0));
                    }

                    break;
                default:
                    r.Error(items[i], itemPath, "expected an interface name or { interface: NAME, weight: W }");
                    break;
            }
        }

        return ValueList.Create<VrrpTrackedInterface>([.. tracked]);
    }

    /// <summary>
    /// <c>ADDRESS[/PREFIX] [dev INTERFACE]</c>, IPv4 or IPv6; null when the text is not one (the caller reports it).
    /// </summary>
    private static VirtualAddress? ParseVirtualAddress(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is not (1 or 3) || (words.Length == 3 && words[1] != "dev"))
        {
            return null;
        }

        var slash = words[0].IndexOf('/');
        if (!IPAddress.TryParse(slash < 0 ? words[0] : words[0][..slash], out var address))
        {
            return null;
        }

        // A host address without a prefix, as keepalived: /32, or /128 for IPv6.
        var prefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        if (slash >= 0 && !int.TryParse(words[0][(slash + 1)..], out prefix))
        {
            return null;
        }

        return new VirtualAddress(address, prefix, words.Length == 3 ? words[2] : null);
    }
}
