using System.Buffers.Binary;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data taken as
/// big-endian 16-bit words, an odd trailing byte padded with zero. VRRPv2 computes it over the VRRP message only,
/// without the IPv4 pseudo-header that VRRPv3 adds (RFC 3768 §5.3.8).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Returns the checksum to store in the checksum field (computed with that field zeroed).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Fold(Sum(data));

    /// <summary>True when <paramref name="data"/>, checksum field included, sums to all ones (RFC 1071 §1).</summary>
    public static bool IsValid(ReadOnlySpan<byte> data) => Fold(Sum(data)) == 0xFFFF;

    private static ulong Sum(ReadOnlySpan<byte> data)
    {
        // 32-bit big-endian reads into a 64-bit accumulator: the carries are folded once at the end, which is
        // equivalent to summing 16-bit words (RFC 1071 §2(B), byte-order independence and deferred carries).
        ulong sum = 0;
        while (data.Length >= 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[4..];
        }

        if (data.Length >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
        }

        if (data.Length == 1)
        {
            sum += (uint)data[0] << 8;
        }

        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
