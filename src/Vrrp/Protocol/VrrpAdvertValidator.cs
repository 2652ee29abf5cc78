using System.Net;
using System.Security.Cryptography;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Receive validation of one VRRPv2 instance (RFC 3768 §7.1) in keepalived's order (<c>vrrp_check_packet</c>,
/// docs/design/vrrp.md §3). It is a pure function of the instance options, our source address, the datagram and the address
/// it was sent to; everything derived from the options is computed once in the constructor so
/// <see cref="Validate"/> does not allocate.
/// </summary>
internal sealed class VrrpAdvertValidator
{
    // Largest IPv4 datagram that still fits the Ethernet minimum payload: anything beyond the VRRP message up to
    // this size is padding a driver may have left (keepalived tolerates it the same way).
    private const int EthernetMinimumPayload = 46;

    private readonly byte _virtualRouterId;
    private readonly VrrpAuthType _authType;
    private readonly byte[] _authData;
    private readonly byte _advertIntervalSeconds;
    private readonly uint[] _addresses;
    private readonly bool _unicast;
    private readonly uint[] _peers;
    private readonly uint _group;
    private readonly uint _ourAddress;

    /// <summary>Creates the validator for an instance whose adverts leave from <paramref name="ourAddress"/>.</summary>
    public VrrpAdvertValidator(VrrpInstanceOptions options, IPAddress ourAddress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ourAddress);
        _virtualRouterId = (byte)options.VirtualRouterId;
        _authType = options.AuthType;
        _authData = VrrpAuthData.Create(options.AuthType, options.AuthPassword);
        _advertIntervalSeconds = (byte)options.AdvertInterval.TotalSeconds;
        _addresses = options.VirtualAddresses.Select(v => Ipv4Address.ToUInt32(v.Address)).ToArray();
        _unicast = options.IsUnicast;
        _peers = [.. options.UnicastPeers.Where(p => p.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Select(Ipv4Address.ToUInt32)];
        _group = Ipv4Address.ToUInt32(options.MulticastGroup);
        _ourAddress = Ipv4Address.ToUInt32(ourAddress);
    }

    /// <summary>
    /// Validates a received IPv4 datagram (header included, as raw sockets deliver it).
    /// </summary>
    /// <param name="datagram">The datagram from the first byte of the IPv4 header.</param>
    /// <param name="destination">The address it was sent to (the group, or our unicast address).</param>
    /// <param name="ip">The IPv4 header, valid once the reason is past <see cref="VrrpDropReason.InvalidIpHeader"/>.</param>
    /// <param name="advert">The VRRP header, valid once the reason is past <see cref="VrrpDropReason.Truncated"/>.</param>
    /// <returns><see cref="VrrpDropReason.None"/> when the advert is acceptable, otherwise the first failed check.</returns>
    public VrrpDropReason Validate(
        ReadOnlySpan<byte> datagram,
        IPAddress destination,
        out Ipv4Header ip,
        out VrrpAdvertisement advert)
    {
        var envelope = Ipv4Header.ReadVrrpDatagram(datagram, out ip, out var message);
        _ = VrrpAdvertisement.TryRead(message, out advert);
        if (envelope != VrrpDropReason.None)
        {
            return envelope;
        }

        if (advert.VirtualRouterId != _virtualRouterId)
        {
            return VrrpDropReason.UnknownVirtualRouterId;
        }

        // Computed from the count the sender claims, so a short message is caught before anything reads past it.
        var expectedLength = VrrpAdvertisement.GetLength(advert.AddressCount);
        if (message.Length < expectedLength
            || (message.Length > expectedLength && datagram.Length > EthernetMinimumPayload))
        {
            return VrrpDropReason.LengthMismatch;
        }

        message = message[..expectedLength];
        Ipv4Address.TryToUInt32(destination, out var destinationAddress);
        var multicastDestination = Ipv4Address.IsMulticast(destinationAddress);
        if (multicastDestination && ip.TimeToLive != Ipv4Header.VrrpTimeToLive)
        {
            return VrrpDropReason.InvalidTtl;
        }

        if (advert.Version != VrrpAdvertisement.Version2)
        {
            return VrrpDropReason.InvalidVersion;
        }

        if (advert.AuthType > (byte)VrrpAuthType.IpAuthenticationHeader)
        {
            return VrrpDropReason.InvalidAuthType;
        }

        if (advert.AuthType != (byte)_authType)
        {
            return VrrpDropReason.AuthTypeMismatch;
        }

        // All 8 bytes, constant time, so the password cannot be guessed byte by byte from timing.
        if (_authType == VrrpAuthType.SimpleText
            && !CryptographicOperations.FixedTimeEquals(VrrpAdvertisement.GetAuthData(message, advert.AddressCount), _authData))
        {
            return VrrpDropReason.AuthFailure;
        }

        if (advert.AdvertIntervalSeconds != _advertIntervalSeconds)
        {
            return VrrpDropReason.AdvertIntervalMismatch;
        }

        if (advert.Type != VrrpAdvertisement.TypeAdvertisement)
        {
            return VrrpDropReason.InvalidType;
        }

        if (ip.TotalLength != ip.HeaderLength + expectedLength)
        {
            return VrrpDropReason.IpTotalLengthMismatch;
        }

        if (!InternetChecksum.IsValid(message))
        {
            return VrrpDropReason.BadChecksum;
        }

        if (_unicast ? multicastDestination : destinationAddress != _group)
        {
            return VrrpDropReason.DestinationMismatch;
        }

        if (ip.Source == _ourAddress)
        {
            return VrrpDropReason.OwnAdvert;
        }

        // Unicast mode names every router of the segment: anyone else is not part of it (docs/security.md).
        if (_unicast && Array.IndexOf(_peers, ip.Source) < 0)
        {
            return VrrpDropReason.NotAUnicastPeer;
        }

        // RFC 3768 §7.1: a VIP list that differs from ours MUST be dropped unless the owner (255) sent it.
        if (advert.Priority != VrrpAdvertisement.PriorityOwner)
        {
            if (advert.AddressCount != _addresses.Length)
            {
                return VrrpDropReason.AddressCountMismatch;
            }

            if (!ContainsAllAddresses(message, advert.AddressCount))
            {
                return VrrpDropReason.AddressListMismatch;
            }
        }

        return VrrpDropReason.None;
    }

    // Order does not matter (keepalived compares sets); counts are equal here, so "every configured VIP is present"
    // means the sets are equal. Quadratic, but VIP lists are a handful of entries.
    private bool ContainsAllAddresses(ReadOnlySpan<byte> message, int count)
    {
        foreach (var address in _addresses)
        {
            var found = false;
            for (var i = 0; i < count && !found; i++)
            {
                found = VrrpAdvertisement.ReadAddress(message, i) == address;
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
