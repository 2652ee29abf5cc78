using System.Net;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// A received IPv4 datagram through the VRRPv2 receive checks (RFC 3768 §7.1), as the raw socket hands it over:
/// for the seed's multicast PASS instance and for a unicast instance without authentication and three VIPs. The
/// answer is always a drop reason; nothing may throw.
/// </summary>
internal sealed class VrrpV2Target : FuzzTarget
{
    private static readonly IPAddress s_ours = IPAddress.Parse("10.10.102.10");
    private static readonly IPAddress s_group = IPAddress.Parse("224.0.0.19");

    private readonly VrrpAdvertValidator _multicast = new(
        new VrrpInstanceOptions
        {
            Name = "VI_1",
            VirtualRouterId = 167,
            AuthType = VrrpAuthType.SimpleText,
            AuthPassword = "1111",
            MulticastGroup = s_group,
            VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24)],
        },
        s_ours);

    private readonly VrrpAdvertValidator _unicast = new(
        new VrrpInstanceOptions
        {
            Name = "VI_2",
            VirtualRouterId = 51,
            UnicastPeers = [IPAddress.Parse("10.10.102.11")],
            VirtualAddresses =
            [
                new VirtualAddress(IPAddress.Parse("10.0.0.1"), 32),
                new VirtualAddress(IPAddress.Parse("10.0.0.2"), 32),
                new VirtualAddress(IPAddress.Parse("10.0.0.3"), 32),
            ],
        },
        s_ours);

    public override string Name => "vrrp-v2";

    public override int MaxInputLength => 1500;

    // Nothing in the receive path allocates (docs/design/vrrp.md, VrrpCodecBenchmarks): the budget is zero bytes.
    public override long AllocationBudget(int length) => 0;

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var multicast = _multicast.Validate(input, s_group, out _, out var advert);
        if (multicast == VrrpDropReason.None)
        {
            // What the router reads from an accepted advert.
            _ = (advert.Priority, advert.AdvertIntervalSeconds, advert.AddressCount);
        }

        var unicast = _unicast.Validate(input, s_ours, out _, out _);
        return multicast == VrrpDropReason.None || unicast == VrrpDropReason.None ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }
}
