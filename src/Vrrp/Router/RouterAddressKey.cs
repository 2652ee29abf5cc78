using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// A sender address as the router compares it: the address read as one unsigned big-endian integer, so the
/// equal-priority tie-break of RFC 3768 §6.4.3 and RFC 5798 §6.4.3 ("the primary IPvX address of the sender is greater
/// than the local primary IPvX address") is a plain comparison for either family. An IPv4 key is the
/// <see cref="Ipv4Address"/> integer the v2 codec already yields, so IPv4 routers compare exactly as before.
/// </summary>
internal static class RouterAddressKey
{
    /// <summary>The key of an IPv4 or IPv6 address (the scope id of a link-local address is not part of it).</summary>
    /// <exception cref="ArgumentException">Neither IPv4 nor IPv6.</exception>
    public static UInt128 From(IPAddress address)
    {
        if (Ipv4Address.TryToUInt32(address, out var v4))
        {
            return v4;
        }

        Span<byte> bytes = stackalloc byte[16];
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.TryWriteBytes(bytes, out _)
            ? BinaryPrimitives.ReadUInt128BigEndian(bytes)
            : throw new ArgumentException($"'{address}' is neither IPv4 nor IPv6.", nameof(address));
    }

    /// <summary>The key of a 16-byte IPv6 address as it sits in a packet.</summary>
    public static UInt128 FromIPv6(ReadOnlySpan<byte> address) => BinaryPrimitives.ReadUInt128BigEndian(address);

    /// <summary>The address behind <paramref name="key"/> in the instance's <paramref name="family"/>, for logs and status.</summary>
    public static IPAddress ToAddress(UInt128 key, AddressFamily family)
    {
        if (family != AddressFamily.InterNetworkV6)
        {
            return Ipv4Address.FromUInt32((uint)key);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        return new IPAddress(bytes);
    }
}
