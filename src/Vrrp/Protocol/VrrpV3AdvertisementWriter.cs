using System.Buffers.Binary;
using System.Net;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Encodes VRRPv3 ADVERTISEMENT messages (RFC 5798 §5.1) as keepalived does: version 3 type 1, reserved bits zero,
/// 12-bit interval in centiseconds, addresses in configuration order, no authentication, checksum over the
/// pseudo-header of the IP packet that carries it (§5.2.8) unless an IPv4 instance sends the RFC 9568 form.
/// </summary>
internal static class VrrpV3AdvertisementWriter
{
    /// <summary>
    /// The advert an instance sends at <paramref name="priority"/> from <paramref name="source"/>, checksummed for the
    /// group (multicast) or its first peer (unicast: the transport rewrites the checksum per peer): what the router
    /// encodes once and what <c>release-vips</c> sends with priority 0.
    /// </summary>
    public static byte[] Create(VrrpInstanceOptions options, byte priority, IPAddress source)
    {
        var vips = options.VirtualAddresses.Select(v => v.Address).ToArray();
        var advert = new byte[VrrpV3Advertisement.GetLength(vips.Length, source.AddressFamily)];
        Write(advert, (byte)options.VirtualRouterId, priority, VrrpInstanceOptionsValidator.ToCentiseconds(options.AdvertInterval), vips, source, ChecksumDestination(options, source));
        return advert;
    }

    /// <summary>The destination an instance's advert is checksummed for before the transport sends it.</summary>
    public static IPAddress ChecksumDestination(VrrpInstanceOptions options, IPAddress source) =>
        options.IsUnicast ? options.UnicastPeers.FirstOrDefault(p => !p.Equals(source)) ?? options.UnicastPeers[0] : options.AdvertGroup;

    /// <summary>Writes one advert into <paramref name="destination"/> and returns its length.</summary>
    /// <param name="destination">At least <see cref="VrrpV3Advertisement.GetLength"/> bytes.</param>
    /// <param name="virtualRouterId">VRID 1-255.</param>
    /// <param name="priority">Effective priority; 0 releases, 255 is the owner.</param>
    /// <param name="maxAdvertIntervalCentiseconds">1-4095 (RFC 5798 §5.2.7).</param>
    /// <param name="addresses">Virtual addresses in configuration order, of the family of the IP packet.</param>
    /// <param name="source">IP source of the packet: the primary IPv4 address, or the link-local IPv6 address.</param>
    /// <param name="packetDestination">IP destination: the group, or the unicast peer the copy is for.</param>
    /// <param name="checksum">The IPv4 checksum form; IPv6 accepts only <see cref="VrrpV3Checksum.PseudoHeader"/>.</param>
    /// <exception cref="ArgumentException">Mixed address families, an IPv6 checksum without the pseudo-header.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than 255 addresses or an interval outside 1-4095.</exception>
    public static int Write(
        Span<byte> destination,
        byte virtualRouterId,
        byte priority,
        ushort maxAdvertIntervalCentiseconds,
        IReadOnlyList<IPAddress> addresses,
        IPAddress source,
        IPAddress packetDestination,
        VrrpV3Checksum checksum = VrrpV3Checksum.PseudoHeader)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(packetDestination);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addresses.Count, byte.MaxValue, nameof(addresses));
        ArgumentOutOfRangeException.ThrowIfZero(maxAdvertIntervalCentiseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAdvertIntervalCentiseconds, VrrpV3Advertisement.MaxAdvertIntervalLimit);
        var family = source.AddressFamily;
        var addressLength = VrrpV3Advertisement.GetAddressLength(family);
        if (packetDestination.AddressFamily != family || addresses.Any(a => a.AddressFamily != family))
        {
            throw new ArgumentException($"A VRRPv3 advert from {source} carries addresses of its own family only.", nameof(addresses));
        }

        if (family == System.Net.Sockets.AddressFamily.InterNetworkV6 && checksum != VrrpV3Checksum.PseudoHeader)
        {
            throw new ArgumentException("IPv6 VRRPv3 checksums always include the pseudo-header (RFC 5798 §5.2.8).", nameof(checksum));
        }

        var length = VrrpV3Advertisement.GetLength(addresses.Count, family);
        var message = destination[..length];
        message[0] = (VrrpV3Advertisement.Version3 << 4) | VrrpAdvertisement.TypeAdvertisement;
        message[1] = virtualRouterId;
        message[2] = priority;
        message[3] = (byte)addresses.Count;
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], maxAdvertIntervalCentiseconds);
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], 0);
        for (var i = 0; i < addresses.Count; i++)
        {
            addresses[i].TryWriteBytes(message[(VrrpV3Advertisement.HeaderLength + (i * addressLength))..], out _);
        }

        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], ComputeChecksum(message, source, packetDestination, checksum));
        return length;
    }

    /// <summary>
    /// Changes the priority of an encoded advert in place and recomputes its checksum for the packet from
    /// <paramref name="source"/> to <paramref name="packetDestination"/>, so a router encodes its advert once.
    /// </summary>
    public static void SetPriority(Span<byte> message, byte priority, IPAddress source, IPAddress packetDestination, VrrpV3Checksum checksum = VrrpV3Checksum.PseudoHeader)
    {
        message[VrrpAdvertisement.PriorityOffset] = priority;
        RewriteChecksum(message, source, packetDestination, checksum);
    }

    /// <summary>
    /// Recomputes the checksum of an encoded advert for another destination: the pseudo-header includes it, so each
    /// unicast peer's copy has its own (keepalived #642).
    /// </summary>
    public static void RewriteChecksum(Span<byte> message, IPAddress source, IPAddress packetDestination, VrrpV3Checksum checksum = VrrpV3Checksum.PseudoHeader)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], ComputeChecksum(message, source, packetDestination, checksum));
    }

    private static ushort ComputeChecksum(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, VrrpV3Checksum checksum)
    {
        if (checksum == VrrpV3Checksum.WithoutPseudoHeader)
        {
            return InternetChecksum.Compute(message);
        }

        Span<byte> sourceBytes = stackalloc byte[16];
        Span<byte> destinationBytes = stackalloc byte[16];
        source.TryWriteBytes(sourceBytes, out var addressLength);
        destination.TryWriteBytes(destinationBytes, out _);
        return InternetChecksum.ComputeWithPseudoHeader(sourceBytes[..addressLength], destinationBytes[..addressLength], Ipv4Header.ProtocolVrrp, message);
    }
}
