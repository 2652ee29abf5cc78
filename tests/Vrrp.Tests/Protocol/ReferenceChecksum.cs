using System.Net;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>
/// The RFC 1071 checksum written the textbook way (16-bit words, fold at the end) with the IPv4 and IPv6
/// pseudo-headers laid out from the RFCs, independent of the production code so tests do not check it against itself.
/// </summary>
internal static class ReferenceChecksum
{
    /// <summary>Checksum of <paramref name="data"/> behind the IPv6 pseudo-header (RFC 8200 §8.1).</summary>
    public static ushort WithIPv6PseudoHeader(IPAddress source, IPAddress destination, byte nextHeader, byte[] data)
    {
        byte[] length = [(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length];
        return Compute([.. source.GetAddressBytes(), .. destination.GetAddressBytes(), .. length, 0, 0, 0, nextHeader, .. data]);
    }

    /// <summary>Checksum of <paramref name="data"/> behind the IPv4 pseudo-header (RFC 768 / RFC 5798 §5.2.8).</summary>
    public static ushort WithIPv4PseudoHeader(IPAddress source, IPAddress destination, byte protocol, byte[] data) =>
        Compute([.. source.GetAddressBytes(), .. destination.GetAddressBytes(), 0, protocol, (byte)(data.Length >> 8), (byte)data.Length, .. data]);

    /// <summary>~(one's complement sum of the big-endian 16-bit words), an odd last byte padded with zero.</summary>
    public static ushort Compute(byte[] data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
