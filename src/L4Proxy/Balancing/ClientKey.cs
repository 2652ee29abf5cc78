using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// What a balancer knows about a client: its address only, never its port (KubeEdge needs one edge on one CloudCore
/// across ports, docs/design/kubeedge.md §2). Computed once per connection, without allocating.
/// </summary>
internal readonly struct ClientKey
{
    private ClientKey(uint sourceHash, ulong hash64)
    {
        SourceHash = sourceHash;
        Hash64 = hash64;
    }

    /// <summary>
    /// haproxy's <c>get_server_sh</c> value: the XOR of the address's 32-bit big-endian words (IPv4: the address as a
    /// big-endian integer; IPv4-mapped IPv6 is not normalised and gives ipv4 ^ 0xFFFF, as in haproxy).
    /// </summary>
    public uint SourceHash { get; }

    /// <summary>
    /// 64-bit well-mixed hash for rendezvous hashing. IPv4-mapped IPv6 addresses hash as their IPv4 address, so a
    /// dual-stack listener and an IPv4 listener agree.
    /// </summary>
    public ulong Hash64 { get; }

    /// <summary>Builds the key of an address.</summary>
    public static ClientKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return default;
        }

        return From(bytes[..written]);
    }

    /// <summary>Builds the key of a 4-byte IPv4 or 16-byte IPv6 address in network order.</summary>
    public static ClientKey From(ReadOnlySpan<byte> address)
    {
        uint sh = 0;
        for (var i = 0; i + 4 <= address.Length; i += 4)
        {
            sh ^= BinaryPrimitives.ReadUInt32BigEndian(address[i..]);
        }

        ulong h64;
        if (address.Length == 4)
        {
            h64 = HashMix.HashIPv4(BinaryPrimitives.ReadUInt32BigEndian(address));
        }
        else if (address.Length == 16)
        {
            var hi = BinaryPrimitives.ReadUInt64BigEndian(address);
            var lo = BinaryPrimitives.ReadUInt64BigEndian(address[8..]);
            h64 = hi == 0 && (lo >> 32) == 0xFFFF
                ? HashMix.HashIPv4((uint)lo)
                : HashMix.HashIPv6(hi, lo);
        }
        else
        {
            h64 = 0;
        }

        return new ClientKey(sh, h64);
    }

    /// <summary>Whether an address family can be hashed.</summary>
    public static bool IsHashable(AddressFamily family) => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
