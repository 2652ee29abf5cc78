using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Receive validation of one VRRPv3 instance (RFC 5798 §7.1) in the order of the VRRPv2 validator
/// (<see cref="VrrpAdvertValidator"/>, keepalived's <c>vrrp_check_packet</c>, docs/design/vrrp.md §3), without the
/// authentication checks v3 dropped and with two of its own: an interval of zero, and an IPv4 checksum that is valid
/// only in the other form (docs/design/vrrp.md §12), counted apart from a corrupt one so a cluster that mixes
/// RFC 5798 and RFC 9568 speakers shows why it splits. An interval that differs from ours is not a drop: the backup
/// adopts the master's (RFC 5798 §6.4.2; keepalived accepts it, §3 row 16).
/// </summary>
/// <remarks>
/// A pure function of the instance and the received packet; everything derived from the instance is computed in the
/// constructor, so validating does not allocate. IPv4 datagrams arrive with their header, as raw sockets deliver them;
/// IPv6 raw sockets strip the header, so the caller passes the hop limit and destination from the ancillary data
/// (IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).
/// </remarks>
internal sealed class VrrpV3AdvertValidator
{
    // Largest IPv4 datagram that still fits the Ethernet minimum payload: anything beyond the VRRP message up to
    // this size is padding a driver may have left. An IPv6 advert is always longer than the minimum frame.
    private const int EthernetMinimumPayload = 46;

    private readonly byte _virtualRouterId;
    private readonly AddressFamily _family;
    private readonly int _addressLength;
    private readonly byte[] _addresses;
    private readonly byte[] _ourAddress;
    private readonly byte[]? _group;
    private readonly VrrpV3Checksum _checksum;

    /// <summary>Creates the validator for an instance whose adverts leave from <paramref name="ourAddress"/>.</summary>
    /// <param name="virtualRouterId">Our VRID.</param>
    /// <param name="virtualAddresses">Our VIPs, of the family of <paramref name="ourAddress"/>.</param>
    /// <param name="ourAddress">Our advert source: the primary IPv4 address or the interface's link-local IPv6 address.</param>
    /// <param name="group">The multicast group we listen on, or null for a unicast instance.</param>
    /// <param name="checksum">The IPv4 checksum form we expect; IPv6 accepts only <see cref="VrrpV3Checksum.PseudoHeader"/>.</param>
    /// <exception cref="ArgumentException">Mixed address families, an IPv6 checksum without the pseudo-header.</exception>
    public VrrpV3AdvertValidator(
        byte virtualRouterId,
        IReadOnlyList<IPAddress> virtualAddresses,
        IPAddress ourAddress,
        IPAddress? group,
        VrrpV3Checksum checksum = VrrpV3Checksum.PseudoHeader)
    {
        ArgumentNullException.ThrowIfNull(virtualAddresses);
        ArgumentNullException.ThrowIfNull(ourAddress);
        _family = ourAddress.AddressFamily;
        _addressLength = VrrpV3Advertisement.GetAddressLength(_family);
        if (virtualAddresses.Any(a => a.AddressFamily != _family) || (group is not null && group.AddressFamily != _family))
        {
            throw new ArgumentException($"A VRRPv3 instance on {ourAddress} has VIPs and a group of its own family only.", nameof(virtualAddresses));
        }

        if (_family == AddressFamily.InterNetworkV6 && checksum != VrrpV3Checksum.PseudoHeader)
        {
            throw new ArgumentException("IPv6 VRRPv3 checksums always include the pseudo-header (RFC 5798 §5.2.8).", nameof(checksum));
        }

        _virtualRouterId = virtualRouterId;
        _addresses = [.. virtualAddresses.SelectMany(a => a.GetAddressBytes())];
        _ourAddress = ourAddress.GetAddressBytes();
        _group = group?.GetAddressBytes();
        _checksum = checksum;
    }

    /// <summary>Validates a received IPv4 datagram (header included) for an IPv4 instance.</summary>
    /// <param name="datagram">The datagram from the first byte of the IPv4 header.</param>
    /// <param name="destination">The address it was sent to (the group, or our unicast address).</param>
    /// <param name="ip">The IPv4 header, valid once the reason is past <see cref="VrrpDropReason.InvalidIpHeader"/>.</param>
    /// <param name="advert">The VRRP header, valid once the reason is past <see cref="VrrpDropReason.Truncated"/>.</param>
    /// <returns><see cref="VrrpDropReason.None"/> when the advert is acceptable, otherwise the first failed check.</returns>
    /// <exception cref="InvalidOperationException">The instance is IPv6.</exception>
    public VrrpDropReason ValidateIPv4(ReadOnlySpan<byte> datagram, IPAddress destination, out Ipv4Header ip, out VrrpV3Advertisement advert)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RequireFamily(AddressFamily.InterNetwork);
        var envelope = Ipv4Header.ReadVrrpDatagram(datagram, out ip, out var message);
        _ = VrrpV3Advertisement.TryRead(message, out advert);
        if (envelope != VrrpDropReason.None)
        {
            return envelope;
        }

        Span<byte> destinationBytes = stackalloc byte[4];
        if (!destination.TryWriteBytes(destinationBytes, out var written) || written != 4)
        {
            return VrrpDropReason.DestinationMismatch;
        }

        var allowPadding = datagram.Length <= EthernetMinimumPayload;
        return ValidateMessage(message, datagram.Slice(12, 4), destinationBytes, ip.TimeToLive, allowPadding, ip.TotalLength - ip.HeaderLength, advert);
    }

    /// <summary>Validates a received VRRP message (no IP header, as IPv6 raw sockets deliver it) for an IPv6 instance.</summary>
    /// <param name="message">The VRRP message.</param>
    /// <param name="source">The packet's source address (from recvmsg).</param>
    /// <param name="destination">The packet's destination (IPV6_PKTINFO): the group, or our unicast address.</param>
    /// <param name="hopLimit">The packet's hop limit (IPV6_HOPLIMIT).</param>
    /// <param name="advert">The VRRP header, valid once the reason is past <see cref="VrrpDropReason.Truncated"/>.</param>
    /// <returns><see cref="VrrpDropReason.None"/> when the advert is acceptable, otherwise the first failed check.</returns>
    /// <exception cref="InvalidOperationException">The instance is IPv4.</exception>
    public VrrpDropReason ValidateIPv6(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, int hopLimit, out VrrpV3Advertisement advert)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        RequireFamily(AddressFamily.InterNetworkV6);
        if (!VrrpV3Advertisement.TryRead(message, out advert))
        {
            return VrrpDropReason.Truncated;
        }

        // Scope ids are not compared: the kernel tags link-local and multicast addresses with the arrival interface.
        Span<byte> sourceBytes = stackalloc byte[16];
        Span<byte> destinationBytes = stackalloc byte[16];
        if (!source.TryWriteBytes(sourceBytes, out var sourceLength) || sourceLength != 16
            || !destination.TryWriteBytes(destinationBytes, out var destinationLength) || destinationLength != 16)
        {
            return VrrpDropReason.DestinationMismatch;
        }

        return ValidateMessage(message, sourceBytes, destinationBytes, hopLimit, allowPadding: false, declaredLength: message.Length, advert);
    }

    private VrrpDropReason ValidateMessage(
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> destination,
        int hopLimit,
        bool allowPadding,
        int declaredLength,
        in VrrpV3Advertisement advert)
    {
        if (advert.VirtualRouterId != _virtualRouterId)
        {
            return VrrpDropReason.UnknownVirtualRouterId;
        }

        // Computed from the count the sender claims, so a short message is caught before anything reads past it.
        var expectedLength = VrrpV3Advertisement.HeaderLength + (advert.AddressCount * _addressLength);
        if (message.Length < expectedLength || (message.Length > expectedLength && !allowPadding))
        {
            return VrrpDropReason.LengthMismatch;
        }

        message = message[..expectedLength];
        var multicastDestination = IsMulticast(destination);
        if (multicastDestination && hopLimit != Ipv4Header.VrrpTimeToLive)
        {
            return VrrpDropReason.InvalidTtl;
        }

        if (advert.Version != VrrpV3Advertisement.Version3)
        {
            return VrrpDropReason.InvalidVersion;
        }

        if (advert.Type != VrrpAdvertisement.TypeAdvertisement)
        {
            return VrrpDropReason.InvalidType;
        }

        if (advert.MaxAdvertIntervalCentiseconds == 0)
        {
            return VrrpDropReason.InvalidAdvertInterval;
        }

        if (declaredLength != expectedLength)
        {
            return VrrpDropReason.IpTotalLengthMismatch;
        }

        if (!HasValidChecksum(message, source, destination, _checksum))
        {
            return _family == AddressFamily.InterNetwork && HasValidChecksum(message, source, destination, Other(_checksum))
                ? VrrpDropReason.ChecksumFormMismatch
                : VrrpDropReason.BadChecksum;
        }

        if (_group is null ? multicastDestination : !destination.SequenceEqual(_group))
        {
            return VrrpDropReason.DestinationMismatch;
        }

        if (source.SequenceEqual(_ourAddress))
        {
            return VrrpDropReason.OwnAdvert;
        }

        // RFC 5798 §7.1 as RFC 3768 §7.1: a VIP list that differs from ours is dropped unless the owner (255) sent it.
        if (advert.Priority != VrrpAdvertisement.PriorityOwner)
        {
            if (advert.AddressCount * _addressLength != _addresses.Length)
            {
                return VrrpDropReason.AddressCountMismatch;
            }

            if (!ContainsAllAddresses(message[VrrpV3Advertisement.HeaderLength..]))
            {
                return VrrpDropReason.AddressListMismatch;
            }
        }

        return VrrpDropReason.None;
    }

    private static bool HasValidChecksum(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, VrrpV3Checksum form) =>
        form == VrrpV3Checksum.PseudoHeader
            ? InternetChecksum.IsValidWithPseudoHeader(source, destination, Ipv4Header.ProtocolVrrp, message)
            : InternetChecksum.IsValid(message);

    private static VrrpV3Checksum Other(VrrpV3Checksum form) =>
        form == VrrpV3Checksum.PseudoHeader ? VrrpV3Checksum.WithoutPseudoHeader : VrrpV3Checksum.PseudoHeader;

    // 224.0.0.0/4 or ff00::/8.
    private static bool IsMulticast(ReadOnlySpan<byte> address) =>
        address.Length == 4 ? (address[0] & 0xF0) == 0xE0 : address[0] == 0xFF;

    // Order does not matter (keepalived compares sets); counts are equal here, so "every configured VIP is present"
    // means the sets are equal. Quadratic, but VIP lists are a handful of entries.
    private bool ContainsAllAddresses(ReadOnlySpan<byte> received)
    {
        for (var ours = 0; ours < _addresses.Length; ours += _addressLength)
        {
            var address = _addresses.AsSpan(ours, _addressLength);
            var found = false;
            for (var i = 0; i < received.Length && !found; i += _addressLength)
            {
                found = received.Slice(i, _addressLength).SequenceEqual(address);
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private void RequireFamily(AddressFamily family)
    {
        if (_family != family)
        {
            throw new InvalidOperationException($"This validator is for a {_family} instance, not {family}.");
        }
    }
}
