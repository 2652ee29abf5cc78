using System.Net;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// The VRRPv3 codec (RFC 5798 §7.1): the input as an IPv4 datagram for an RFC 5798 and an RFC 9568 checksum
/// instance, and as an IPv6 message (the header stripped, as IPv6 raw sockets deliver it) for an IPv6 instance.
/// </summary>
internal sealed class VrrpV3Target : FuzzTarget
{
    private static readonly IPAddress s_ours4 = IPAddress.Parse("10.10.102.10");
    private static readonly IPAddress s_ours6 = IPAddress.Parse("fe80::10");
    private static readonly IPAddress s_peer6 = IPAddress.Parse("fe80::11");

    private readonly VrrpV3AdvertValidator _pseudoHeader = new(167, [IPAddress.Parse("10.10.102.242")], s_ours4, VrrpV3Advertisement.IPv4Group);
    private readonly VrrpV3AdvertValidator _withoutPseudoHeader = new(167, [IPAddress.Parse("10.10.102.242")], s_ours4, group: null, VrrpV3Checksum.WithoutPseudoHeader);
    private readonly VrrpV3AdvertValidator _ipv6 = new(167, [IPAddress.Parse("2001:db8::242"), IPAddress.Parse("fe80::242")], s_ours6, VrrpV3Advertisement.IPv6Group);

    public override string Name => "vrrp-v3";

    public override int MaxInputLength => 1500;

    public override long AllocationBudget(int length) => 0;

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var accepted = _pseudoHeader.ValidateIPv4(input, VrrpV3Advertisement.IPv4Group, out _, out _) == VrrpDropReason.None;
        accepted |= _withoutPseudoHeader.ValidateIPv4(input, s_ours4, out _, out _) == VrrpDropReason.None;
        accepted |= _ipv6.ValidateIPv6(input, s_peer6, VrrpV3Advertisement.IPv6Group, 255, out _) == VrrpDropReason.None;
        return accepted ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }
}
