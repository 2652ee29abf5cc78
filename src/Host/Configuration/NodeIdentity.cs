using System.Net;
using System.Net.NetworkInformation;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// Which <c>nodes:</c> block is this machine's when no <c>--node</c> is given. The host name, as before; but
/// <c>init --masters IP,IP,IP</c> without <c>--names</c> keys the blocks by the masters' addresses, and a master
/// asked to run as its host name would silently run with no block at all (every node at the instance's default
/// priority). So when no block carries the host name and exactly one carries an address assigned to this machine,
/// that block is this node.
/// </summary>
internal static class NodeIdentity
{
    /// <summary>
    /// The node name for <paramref name="root"/>: <paramref name="hostName"/> unless no instance has a block for it
    /// and the keys that are addresses of <paramref name="localAddresses"/> name exactly one node.
    /// </summary>
    public static string Resolve(YamlMappingNode? root, string hostName, IReadOnlySet<IPAddress> localAddresses)
    {
        var keys = NodeKeys(root).ToHashSet(StringComparer.Ordinal);
        if (keys.Contains(hostName))
        {
            return hostName;
        }

        var local = keys.Where(k => IPAddress.TryParse(k, out var address) && localAddresses.Contains(address)).ToArray();
        return local.Length == 1 ? local[0] : hostName;
    }

    /// <summary>Every address on this machine's interfaces (in the daemon's network namespace).</summary>
    public static IReadOnlySet<IPAddress> LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return new HashSet<IPAddress>();
        }
    }

    private static IEnumerable<string> NodeKeys(YamlMappingNode? root)
    {
        if (root is null || YamlReader.Get(root, "vrrp") is not YamlMappingNode vrrp || YamlReader.Get(vrrp, "instances") is not YamlSequenceNode instances)
        {
            yield break;
        }

        foreach (var instance in instances.Children.OfType<YamlMappingNode>())
        {
            if (YamlReader.Get(instance, "nodes") is YamlMappingNode nodes)
            {
                foreach (var key in nodes.Children.Keys.OfType<YamlScalarNode>())
                {
                    if (key.Value is { } name)
                    {
                        yield return name;
                    }
                }
            }
        }
    }
}
