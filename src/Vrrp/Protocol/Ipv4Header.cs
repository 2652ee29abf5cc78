using System.Buffers.Binary;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// The fields of an IPv4 header (RFC 791 §3.1) that VRRP receive validation needs, and a writer for the header
/// keepalived builds itself with IP_HDRINCL (docs/design/vrrp.md §1.1). Addresses are host-order integers.
/// </summary>
internal readonly record struct Ipv4Header(
    byte Version,
    int HeaderLength,
    byte TypeOfService,
    ushort TotalLength,
    ushort Identification,
    byte TimeToLive,
    byte Protocol,
    uint Source,
    uint Destination)
{
    /// <summary>Length of a header without options (IHL 5).</summary>
    public const int MinimumLength = 20;

    /// <summary>IANA protocol number of VRRP (RFC 3768 §5.2.4).</summary>
    public const byte ProtocolVrrp = 112;

    /// <summary>TTL every VRRP sender uses and multicast receivers require (RFC 3768 §5.2.3).</summary>
    public const byte VrrpTimeToLive = 255;

    /// <summary>Internetwork control precedence, as keepalived sets it (IPTOS_PREC_INTERNETCONTROL).</summary>
    public const byte VrrpTypeOfService = 0xC0;

    /// <summary>
    /// Reads the fixed part of the header. Fails when the span is shorter than 20 bytes, the version is not 4, the
    /// IHL is below 5, or the IHL points past the end of the span. Options are skipped, not interpreted.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out Ipv4Header header)
    {
        if (datagram.Length < MinimumLength)
        {
            header = default;
            return false;
        }

        var version = (byte)(datagram[0] >> 4);
        var headerLength = (datagram[0] & 0x0F) * 4;
        header = new Ipv4Header(
            version,
            headerLength,
            datagram[1],
            BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]),
            datagram[8],
            datagram[9],
            BinaryPrimitives.ReadUInt32BigEndian(datagram[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[16..]));
        return version == 4 && headerLength >= MinimumLength && headerLength <= datagram.Length;
    }

    /// <summary>
    /// The first checks of VRRP receive validation, the same for versions 2 and 3 (both fixed headers are 8 bytes):
    /// a datagram too short for an IPv4 header and a VRRP header, a bad IPv4 header, fewer than 8 bytes after the
    /// options, another protocol than 112. On <see cref="VrrpDropReason.None"/>, <paramref name="message"/> is
    /// everything after the header, padding included.
    /// </summary>
    public static VrrpDropReason ReadVrrpDatagram(ReadOnlySpan<byte> datagram, out Ipv4Header header, out ReadOnlySpan<byte> message)
    {
        message = default;
        if (datagram.Length < MinimumLength + VrrpAdvertisement.HeaderLength)
        {
            header = default;
            return VrrpDropReason.Truncated;
        }

        if (!TryRead(datagram, out header))
        {
            return VrrpDropReason.InvalidIpHeader;
        }

        message = datagram[header.HeaderLength..];
        if (message.Length < VrrpAdvertisement.HeaderLength)
        {
            return VrrpDropReason.Truncated;
        }

        return header.Protocol == ProtocolVrrp ? VrrpDropReason.None : VrrpDropReason.NotVrrpProtocol;
    }

    /// <summary>
    /// Writes a 20-byte header without options (DF clear, fragment offset 0) with a valid header checksum, as the
    /// kernel would fill it in.
    /// </summary>
    public static void Write(
        Span<byte> destination,
        ushort totalLength,
        ushort identification,
        byte timeToLive,
        byte protocol,
        uint source,
        uint destinationAddress,
        byte typeOfService = VrrpTypeOfService)
    {
        var header = destination[..MinimumLength];
        header[0] = 0x45;
        header[1] = typeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], 0);
        header[8] = timeToLive;
        header[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], destinationAddress);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
    }
}
