using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Conversions between <see cref="IPAddress"/> and the host-order integer form the codec works with. Host order makes
/// the RFC 3768 §6.4.3 tie-break ("the primary IP address of the sender is greater than the local primary IP
/// address") a plain unsigned comparison, as keepalived does with <c>ntohl</c>.
/// </summary>
internal static class Ipv4Address
{
    /// <summary>Returns the address as a host-order integer; throws for anything but IPv4.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        if (!TryToUInt32(address, out var value))
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        }

        return value;
    }

    /// <summary>Converts an IPv4 (or IPv4-mapped IPv6) address without allocating.</summary>
    public static bool TryToUInt32(IPAddress address, out uint value)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    /// <summary>Creates an <see cref="IPAddress"/> from a host-order integer.</summary>
    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>True for 224.0.0.0/4 (RFC 5771).</summary>
    public static bool IsMulticast(uint value) => (value & 0xF000_0000) == 0xE000_0000;
}
