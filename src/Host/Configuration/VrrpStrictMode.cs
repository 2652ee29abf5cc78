using CloudCoreLb.Vrrp;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// <c>vrrp.strict: true</c>, keepalived's <c>vrrp_strict</c>: only what the RFCs allow. What the receive path can
/// enforce it already does in every mode (TTL 255, interval, address list: docs/design/vrrp.md §3), and an instance
/// without a virtual address is refused in every mode too; strict mode adds
/// the configuration rules, each an error at the key that breaks it:
/// <list type="bullet">
/// <item>no authentication: RFC 3768 §10 deprecates it (PASS travels in plaintext) and RFC 5798 removed it;</item>
/// <item>no unicast peers: VRRP is defined over the 224.0.0.18 / ff02::12 multicast groups only.</item>
/// </list>
/// keepalived's third rule, no IPv6 virtual address in a VRRPv2 instance, needs no check of its own: the options
/// validator refuses IPv6 virtual addresses outside version 3 in every mode.
/// keepalived under <c>vrrp_strict</c> also installs firewall rules dropping traffic to the VIPs; that is a firewall's
/// job and is not done here.
/// </summary>
internal static class VrrpStrictMode
{
    /// <summary>Reports every rule <paramref name="instance"/> (read from <paramref name="map"/> at <paramref name="path"/>) breaks.</summary>
    public static void Check(YamlReader r, VrrpInstanceConfig instance, YamlMappingNode map, string path)
    {
        var o = instance.Options;
        if (o.AuthType != VrrpAuthType.None)
        {
            r.Error(YamlReader.Get(map, "authentication"), YamlReader.Join(path, "authentication"),
                "vrrp.strict forbids authentication (RFC 3768 §10 deprecates it, RFC 5798 removed it); remove it on every node at once");
        }

        // The key, not the parsed list: a list naming only this node is emptied, but the instance is still unicast.
        if (YamlReader.Get(map, "unicast") is not null)
        {
            r.Error(YamlReader.Get(map, "unicast"), YamlReader.Join(path, "unicast"),
                "vrrp.strict forbids unicast peers: VRRP adverts go to the multicast group");
        }
    }
}
