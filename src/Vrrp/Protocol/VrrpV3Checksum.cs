namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// Which form of the VRRPv3 checksum an IPv4 instance sends and expects (docs/design/vrrp.md §12). IPv6 has only one
/// form: the pseudo-header is always included (RFC 5798 §5.2.8).
/// </summary>
internal enum VrrpV3Checksum
{
    /// <summary>Over the IPv4 pseudo-header and the message, as RFC 5798 §5.2.8 says; keepalived's and FRR's default.</summary>
    PseudoHeader = 0,

    /// <summary>
    /// Over the message only, as in VRRPv2: RFC 9568 §5.2.8 (keepalived <c>v3_checksum_as_v2</c>), which Cisco and
    /// Juniper send.
    /// </summary>
    WithoutPseudoHeader = 1,
}
