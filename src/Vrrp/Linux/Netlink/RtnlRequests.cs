using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>Builds the rtnetlink requests this daemon sends (rtnetlink(7); keepalived vrrp_ipaddress.c for the choices).</summary>
internal static class RtnlRequests
{
    private const byte AF_INET = LinuxInterop.AF_INET;
    private const byte AF_INET6 = LinuxInterop.AF_INET6;

    /// <summary>Large enough for an address request with a 15-character label.</summary>
    public const int MaxAddressRequestLength = 128;

    /// <summary>
    /// RTM_NEWADDR for one VIP: ifaddrmsg {AF_INET or AF_INET6, prefix, 0, scope global, ifindex}, IFA_LOCAL,
    /// IFA_ADDRESS, optional IFA_LABEL (IPv4 only: the kernel has no labels for IPv6), for IPv6 IFA_FLAGS with
    /// IFA_F_NODAD (as keepalived: a VIP that moves must be usable at once, and a backup never holds it, so duplicate
    /// address detection would only delay the takeover by a second or more) and, when <paramref name="protocol"/> is not 0, IFA_PROTO to mark the address as ours
    /// (Linux 5.18+; older kernels ignore the unknown attribute). Flags REQUEST|ACK|CREATE|EXCL: a second add reports
    /// EEXIST, which the caller treats as success. With <paramref name="lifetimeSeconds"/>, IFA_CACHEINFO gives the
    /// address that valid and preferred lifetime (the kernel deletes it when it runs out) and <paramref name="replace"/>
    /// (REPLACE instead of EXCL) renews the lifetime of an address that is there, or adds it again if it is not. An IPv6
    /// /128 VIP always carries IFA_CACHEINFO, with preferred lifetime 0.
    /// </summary>
    public static int WriteNewAddress(
        Span<byte> buffer, uint sequence, int interfaceIndex, VirtualAddress address, string? label, byte protocol, uint lifetimeSeconds = 0, bool replace = false)
    {
        var flags = (ushort)(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL));
        var writer = new NetlinkWriter(buffer, RTM_NEWADDR, flags, sequence);
        var ipv6 = IsIPv6(address);
        writer.WriteIfAddrMsg(ipv6 ? AF_INET6 : AF_INET, PrefixLength(address), ipv6 ? IFA_F_NODAD : (byte)0, 0, interfaceIndex);
        writer.WriteAttribute(IFA_LOCAL, address.Address);
        writer.WriteAttribute(IFA_ADDRESS, address.Address);
        if (!string.IsNullOrEmpty(label) && !ipv6)
        {
            writer.WriteAttribute(IFA_LABEL, label);
        }

        if (ipv6)
        {
            // ifa_flags is 8 bits; IFA_FLAGS carries the full set and takes precedence when present.
            writer.WriteAttribute(IFA_FLAGS, (uint)IFA_F_NODAD);
        }

        if (protocol != 0)
        {
            writer.WriteAttribute(IFA_PROTO, protocol);
        }

        // An IPv6 host VIP (/128) is added deprecated (preferred lifetime 0), as keepalived 2.2 does: source address
        // selection (RFC 6724 rule 3) then never picks it for the node's own outgoing connections, which would break
        // when the VIP moves; it still accepts connections and explicit binds.
        var deprecated = ipv6 && address.PrefixLength == 128;
        if (lifetimeSeconds != 0 || deprecated)
        {
            // struct ifa_cacheinfo { u32 ifa_prefered, ifa_valid, cstamp, tstamp } in host order; the stamps are output
            // only. A valid lifetime of 0xFFFFFFFF is forever.
            var valid = lifetimeSeconds != 0 ? lifetimeSeconds : uint.MaxValue;
            Span<byte> cacheInfo = stackalloc byte[16];
            cacheInfo.Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(cacheInfo, deprecated ? 0 : valid);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(cacheInfo[4..], valid);
            writer.WriteAttribute(IFA_CACHEINFO, cacheInfo);
        }

        return writer.Complete();
    }

    /// <summary>
    /// RTM_DELADDR for one IPv4 or IPv6 address. No IFA_LABEL: the kernel refuses a delete whose label differs from the
    /// address's (EADDRNOTAVAIL, docs/design/dotnet-notes.md §2), and address + prefix already identify it.
    /// </summary>
    public static int WriteDeleteAddress(Span<byte> buffer, uint sequence, int interfaceIndex, VirtualAddress address)
    {
        var writer = new NetlinkWriter(buffer, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.WriteIfAddrMsg(IsIPv6(address) ? AF_INET6 : AF_INET, PrefixLength(address), 0, 0, interfaceIndex);
        writer.WriteAttribute(IFA_LOCAL, address.Address);
        writer.WriteAttribute(IFA_ADDRESS, address.Address);
        return writer.Complete();
    }

    /// <summary>
    /// RTM_GETADDR dump of every address of one family, IPv4 unless told otherwise (filtering by interface happens in
    /// the reader).
    /// </summary>
    public static int WriteGetAddressDump(Span<byte> buffer, uint sequence, byte family = AF_INET)
    {
        var writer = new NetlinkWriter(buffer, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        writer.WriteIfAddrMsg(family, 0, 0, 0, 0);
        return writer.Complete();
    }

    /// <summary>RTM_GETLINK dump of every link.</summary>
    public static int WriteGetLinkDump(Span<byte> buffer, uint sequence)
    {
        var writer = new NetlinkWriter(buffer, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        writer.WriteIfInfoMsg(0, 0);
        return writer.Complete();
    }

    /// <summary>
    /// RTM_GETLINK for one link by name: the kernel answers with one RTM_NEWLINK then the ACK, or ENODEV. Cheaper
    /// than a dump on Kubernetes nodes, where pod veths make the link table long.
    /// </summary>
    public static int WriteGetLink(Span<byte> buffer, uint sequence, string name)
    {
        var writer = new NetlinkWriter(buffer, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.WriteIfInfoMsg(0, 0);
        writer.WriteAttribute(IFLA_IFNAME, name);
        return writer.Complete();
    }

    private static bool IsIPv6(VirtualAddress address) => address.Address.AddressFamily switch
    {
        System.Net.Sockets.AddressFamily.InterNetwork => false,
        System.Net.Sockets.AddressFamily.InterNetworkV6 => true,
        _ => throw new ArgumentException($"Only IPv4 and IPv6 addresses are supported, got {address}.", nameof(address)),
    };

    private static byte PrefixLength(VirtualAddress address)
    {
        var max = IsIPv6(address) ? 128 : 32;
        return address.PrefixLength >= 0 && address.PrefixLength <= max
            ? (byte)address.PrefixLength
            : throw new ArgumentOutOfRangeException(nameof(address), address.PrefixLength, $"The prefix length of {address} must be 0-{max}.");
    }
}
