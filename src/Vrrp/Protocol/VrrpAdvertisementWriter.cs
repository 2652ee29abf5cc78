using System.Buffers.Binary;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Encodes VRRPv2 ADVERTISEMENT messages (RFC 3768 §5.1) byte-exact with keepalived: version 2 type 1, addresses in
/// configuration order, 8 bytes of authentication data, Internet checksum over the message only (§5.3.8).
/// </summary>
internal static class VrrpAdvertisementWriter
{
    /// <summary>
    /// The advert an instance sends at <paramref name="priority"/>, from its options (VIPs in configuration order,
    /// its authentication, whole-second interval): what the router encodes once and what <c>release-vips</c> sends
    /// with priority 0 for a daemon that died.
    /// </summary>
    public static byte[] Create(VrrpInstanceOptions options, byte priority)
    {
        var addresses = options.VirtualAddresses.Select(v => Ipv4Address.ToUInt32(v.Address)).ToArray();
        var advert = new byte[VrrpAdvertisement.GetLength(addresses.Length)];
        Write(advert, (byte)options.VirtualRouterId, priority, options.AuthType, (byte)options.AdvertInterval.TotalSeconds,
            addresses, VrrpAuthData.Create(options.AuthType, options.AuthPassword));
        return advert;
    }

    /// <summary>
    /// Writes one advert into <paramref name="destination"/> and returns its length.
    /// </summary>
    /// <param name="destination">At least <see cref="VrrpAdvertisement.GetLength"/> bytes.</param>
    /// <param name="virtualRouterId">VRID 1-255.</param>
    /// <param name="priority">Effective priority; 0 releases, 255 is the owner.</param>
    /// <param name="authType">Authentication type byte.</param>
    /// <param name="advertIntervalSeconds">Advert interval in whole seconds (§5.3.7).</param>
    /// <param name="addresses">Virtual addresses, host order, configuration order.</param>
    /// <param name="authData">Exactly 8 bytes (see <see cref="VrrpAuthData"/>).</param>
    public static int Write(
        Span<byte> destination,
        byte virtualRouterId,
        byte priority,
        VrrpAuthType authType,
        byte advertIntervalSeconds,
        ReadOnlySpan<uint> addresses,
        ReadOnlySpan<byte> authData)
    {
        if (addresses.Length > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(addresses), "A VRRPv2 advert carries at most 255 addresses.");
        }

        if (authData.Length != VrrpAdvertisement.AuthDataLength)
        {
            throw new ArgumentException("VRRPv2 authentication data is exactly 8 bytes.", nameof(authData));
        }

        var length = VrrpAdvertisement.GetLength(addresses.Length);
        var message = destination[..length];
        message[0] = (VrrpAdvertisement.Version2 << 4) | VrrpAdvertisement.TypeAdvertisement;
        message[1] = virtualRouterId;
        message[2] = priority;
        message[3] = (byte)addresses.Length;
        message[4] = (byte)authType;
        message[5] = advertIntervalSeconds;
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], 0);
        for (var i = 0; i < addresses.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(message[(VrrpAdvertisement.HeaderLength + (4 * i))..], addresses[i]);
        }

        authData.CopyTo(message[(length - VrrpAdvertisement.AuthDataLength)..]);
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], InternetChecksum.Compute(message));
        return length;
    }

    /// <summary>
    /// Changes the priority of an encoded advert in place and recomputes its checksum, so a router encodes its
    /// advert once and only patches the priority byte per send (keepalived <c>vrrp_update_pkt</c> does the same).
    /// </summary>
    public static void SetPriority(Span<byte> message, byte priority)
    {
        message[VrrpAdvertisement.PriorityOffset] = priority;
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..], InternetChecksum.Compute(message));
    }
}
