using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp;

// IPv6 instances (RFC 5798 §5.1.2): VRRPv3 only, one family per instance, multicast to ff02::12 (or
// multicast_group6) from the interface's link-local address, as keepalived runs them.
public static partial class VrrpInstanceOptionsValidator
{
    private static void ValidateIPv6Address(VrrpInstanceOptions options, VirtualAddress vip, int index, Action<string, string, int?> add)
    {
        const string option = nameof(VrrpInstanceOptions.VirtualAddresses);
        if (options.Version != 3)
        {
            // RFC 3768 is IPv4 only; keepalived refuses it under vrrp_strict and misbehaves without.
            add(option, $"IPv6 virtual address {vip.Address} needs version 3: VRRPv2 is IPv4 only (RFC 3768); set version: 3 on this instance", index);
        }
        else if (vip.PrefixLength is < 1 or > 128)
        {
            add(option, $"'{vip}' is not an IPv6 address with an optional /prefix (1-128): invalid prefix length", index);
        }
        else if (vip.Address.IsIPv4MappedToIPv6 || vip.Address.IsIPv6Multicast || vip.Address.Equals(IPAddress.IPv6Any) || vip.Address.Equals(IPAddress.IPv6Loopback))
        {
            add(option, $"{vip.Address} cannot be a virtual address (a unicast IPv6 address is needed)", index);
        }
    }

    private static void ValidateIPv6Transport(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        if (options.IsUnicast || options.UnicastSourceAddress is not null)
        {
            add(nameof(options.UnicastPeers), "unicast is not supported for IPv6 instances yet: they advertise to the multicast group (multicast_group6, default ff02::12) from the interface's link-local address", null);
        }
    }

    private static string FamilyName(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
