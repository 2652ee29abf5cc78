using System.Buffers.Binary;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data taken as
/// big-endian 16-bit words, an odd trailing byte padded with zero. VRRPv2 computes it over the VRRP message only
/// (RFC 3768 §5.3.8); VRRPv3 puts the IPv4 or IPv6 pseudo-header in front (RFC 5798 §5.2.8,
/// docs/design/vrrp.md §12).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Returns the checksum to store in the checksum field (computed with that field zeroed).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Fold(Sum(data));

    /// <summary>True when <paramref name="data"/>, checksum field included, sums to all ones (RFC 1071 §1).</summary>
    public static bool IsValid(ReadOnlySpan<byte> data) => Fold(Sum(data)) == 0xFFFF;

    /// <summary>
    /// Returns the checksum of <paramref name="data"/> behind the pseudo-header of <paramref name="source"/> and
    /// <paramref name="destination"/>: 4-byte addresses give the IPv4 one (RFC 768: addresses, zero, protocol,
    /// 16-bit length), 16-byte addresses the IPv6 one (RFC 8200 §8.1: addresses, 32-bit length, next header).
    /// </summary>
    /// <exception cref="ArgumentException">The addresses are not both 4 or both 16 bytes.</exception>
    public static ushort ComputeWithPseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, ReadOnlySpan<byte> data) =>
        (ushort)~Fold(PseudoHeaderSum(source, destination, protocol, data.Length) + Sum(data));

    /// <summary>True when <paramref name="data"/>, checksum field included, sums to all ones behind the pseudo-header.</summary>
    /// <exception cref="ArgumentException">The addresses are not both 4 or both 16 bytes.</exception>
    public static bool IsValidWithPseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, ReadOnlySpan<byte> data) =>
        Fold(PseudoHeaderSum(source, destination, protocol, data.Length) + Sum(data)) == 0xFFFF;

    // The zero bytes add nothing, so either layout sums to the two addresses, the protocol and the length; a 32-bit
    // length folds to the same sum as its two 16-bit words.
    private static ulong PseudoHeaderSum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, int length)
    {
        if (source.Length != destination.Length || source.Length is not (4 or 16))
        {
            throw new ArgumentException($"Pseudo-header addresses must both be IPv4 or both IPv6, got {source.Length} and {destination.Length} bytes.", nameof(source));
        }

        return Sum(source) + Sum(destination) + protocol + (ulong)(uint)length;
    }

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
