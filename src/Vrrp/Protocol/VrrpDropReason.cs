namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Why a received datagram was not fed to the state machine. The numeric values are stable: they are used as a
/// metrics label and in logs, so never renumber or reuse them; add new reasons at the end. The order of the
/// checks follows keepalived's <c>vrrp_check_packet</c> (docs/design/vrrp.md §3); a dropped datagram never resets the
/// master-down timer (keepalived #562).
/// </summary>
public enum VrrpDropReason
{
    /// <summary>Not dropped: the advert was accepted.</summary>
    None = 0,

    /// <summary>Shorter than an IPv4 header plus the 8-byte VRRP header, or truncated by the socket.</summary>
    Truncated = 1,

    /// <summary>IPv4 version not 4, IHL below 5 or beyond the datagram.</summary>
    InvalidIpHeader = 2,

    /// <summary>IP protocol is not 112.</summary>
    NotVrrpProtocol = 3,

    /// <summary>
    /// The VRID is not this instance's. Ignored, not an error: it is counted separately
    /// (<see cref="Router.VrrpCounters.UnknownVirtualRouterId"/>), never as a drop.
    /// </summary>
    UnknownVirtualRouterId = 4,

    /// <summary>Sent to a multicast group with a TTL other than 255 (RFC 3768 §7.1): it crossed a router.</summary>
    InvalidTtl = 5,

    /// <summary>VRRP version is not the instance's (2, or 3 for a VRRPv3 instance).</summary>
    InvalidVersion = 6,

    /// <summary>
    /// The datagram length does not match IP header + 8 + 4 x count + 8. Trailing bytes are tolerated while the
    /// datagram stays within the Ethernet minimum payload (padding).
    /// </summary>
    LengthMismatch = 7,

    /// <summary>Authentication type is not 0, 1 or 2.</summary>
    InvalidAuthType = 8,

    /// <summary>Authentication type differs from ours: a peer misconfiguration.</summary>
    AuthTypeMismatch = 9,

    /// <summary>PASS authentication data differs from ours (all 8 bytes compared in constant time).</summary>
    AuthFailure = 10,

    /// <summary>
    /// Advert interval differs from ours (RFC 3768 §7.1). keepalived drops these silently and uncounted, which
    /// leaves both nodes master for good; we count them and raise a configuration fault.
    /// </summary>
    AdvertIntervalMismatch = 11,

    /// <summary>VRRP type is not 1 (ADVERTISEMENT).</summary>
    InvalidType = 12,

    /// <summary>IPv4 total length disagrees with the VRRP message it carries or the bytes received.</summary>
    IpTotalLengthMismatch = 13,

    /// <summary>The VRRP checksum is wrong.</summary>
    BadChecksum = 14,

    /// <summary>
    /// Multicast destination on a unicast instance, unicast destination on a multicast instance, or another group
    /// than ours.
    /// </summary>
    DestinationMismatch = 15,

    /// <summary>Address count differs from our VIP count and the sender is not the owner (RFC 3768 §7.1).</summary>
    AddressCountMismatch = 16,

    /// <summary>
    /// A configured VIP is missing from the advert and the sender is not the owner. RFC 3768 §7.1 and keepalived up
    /// to 2.3.2 drop it; keepalived 2.3.3+ only logs it (docs/design/vrrp.md §3 [ver]).
    /// </summary>
    AddressListMismatch = 17,

    /// <summary>The advert carries our own source address (a looped-back copy or an address conflict).</summary>
    OwnAdvert = 18,

    /// <summary>The instance is in Initialize or Fault and does not listen (keepalived does not count these).</summary>
    NotListening = 19,

    /// <summary>
    /// VRRPv3 Max Advertise Interval of zero (RFC 5798 §5.2.7): a backup adopting it would have a master-down
    /// interval of only its skew, so the advert is dropped instead.
    /// </summary>
    InvalidAdvertInterval = 20,

    /// <summary>
    /// VRRPv3 over IPv4: the checksum is wrong in the form we expect but right in the other one, with the pseudo-header
    /// (RFC 5798 §5.2.8) or without it (RFC 9568, keepalived <c>v3_checksum_as_v2</c>). A peer misconfiguration, kept
    /// apart from <see cref="BadChecksum"/> (docs/design/vrrp.md §12).
    /// </summary>
    ChecksumFormMismatch = 21,

    /// <summary>
    /// Unicast mode: the advert comes from an address that is not among the instance's unicast peers. Without this a
    /// host on the segment could send a higher priority and take the VIP (keepalived checks it only with
    /// <c>check_unicast_src</c>); here the peer list is the membership list.
    /// </summary>
    NotAUnicastPeer = 22,
}
