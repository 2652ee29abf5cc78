using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>A point-in-time copy of <see cref="VrrpCounters"/>.</summary>
/// <param name="AdvertsSent">Adverts sent, priority-0 included.</param>
/// <param name="AdvertsReceived">Valid adverts received.</param>
/// <param name="PriorityZeroSent">Priority-0 adverts sent.</param>
/// <param name="PriorityZeroReceived">Priority-0 adverts received.</param>
/// <param name="UnknownVirtualRouterId">Datagrams for other VRIDs.</param>
/// <param name="MasterDownExpiries">Master-down timer expiries.</param>
/// <param name="GarpSent">Gratuitous ARPs sent.</param>
/// <param name="Drops">Drops per reason (every reason present, zero included).</param>
/// <param name="Transitions">Transitions per (from, to) pair that occurred at least once.</param>
public sealed record VrrpCountersSnapshot(
    long AdvertsSent,
    long AdvertsReceived,
    long PriorityZeroSent,
    long PriorityZeroReceived,
    long UnknownVirtualRouterId,
    long MasterDownExpiries,
    long GarpSent,
    IReadOnlyDictionary<VrrpDropReason, long> Drops,
    IReadOnlyDictionary<(VrrpState From, VrrpState To), long> Transitions);
