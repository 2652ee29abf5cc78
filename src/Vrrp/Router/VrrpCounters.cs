using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Per-instance VRRP counters, the keepalived stats set (docs/design/vrrp.md §3) plus the drops keepalived never counts
/// (unknown VRID, advert interval mismatch). Updated with interlocked operations; readable from any thread.
/// </summary>
public sealed class VrrpCounters
{
    private const int StateCount = (int)VrrpState.Fault + 1;
    private static readonly int s_dropReasonCount = Enum.GetValues<VrrpDropReason>().Max(r => (int)r) + 1;

    private readonly long[] _drops = new long[s_dropReasonCount];
    private readonly long[] _transitions = new long[StateCount * StateCount];
    private long _advertsSent;
    private long _advertsReceived;
    private long _priorityZeroSent;
    private long _priorityZeroReceived;
    private long _unknownVirtualRouterId;
    private long _masterDownExpiries;
    private long _garpSent;

    /// <summary>Adverts sent, priority-0 releases included.</summary>
    public long AdvertsSent => Volatile.Read(ref _advertsSent);

    /// <summary>Valid adverts received (after validation), priority 0 included.</summary>
    public long AdvertsReceived => Volatile.Read(ref _advertsReceived);

    /// <summary>Priority-0 (release) adverts sent.</summary>
    public long PriorityZeroSent => Volatile.Read(ref _priorityZeroSent);

    /// <summary>Valid priority-0 adverts received.</summary>
    public long PriorityZeroReceived => Volatile.Read(ref _priorityZeroReceived);

    /// <summary>Datagrams for another VRID on the same socket: ignored, not an error.</summary>
    public long UnknownVirtualRouterId => Volatile.Read(ref _unknownVirtualRouterId);

    /// <summary>Master-down timer expiries that made this node master.</summary>
    public long MasterDownExpiries => Volatile.Read(ref _masterDownExpiries);

    /// <summary>Gratuitous ARPs sent.</summary>
    public long GarpSent => Volatile.Read(ref _garpSent);

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    public long GetDrops(VrrpDropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>Number of transitions from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public long GetTransitions(VrrpState from, VrrpState to) => Volatile.Read(ref _transitions[TransitionIndex(from, to)]);

    /// <summary>A consistent-enough copy for export (each value is read atomically; the set is not a transaction).</summary>
    public VrrpCountersSnapshot Snapshot()
    {
        var dropCounts = new Dictionary<VrrpDropReason, long>();
        foreach (var reason in Enum.GetValues<VrrpDropReason>())
        {
            if (reason is not (VrrpDropReason.None or VrrpDropReason.UnknownVirtualRouterId))
            {
                dropCounts[reason] = GetDrops(reason);
            }
        }

        var transitionCounts = new Dictionary<(VrrpState From, VrrpState To), long>();
        for (var from = 0; from < StateCount; from++)
        {
            for (var to = 0; to < StateCount; to++)
            {
                var count = Volatile.Read(ref _transitions[(from * StateCount) + to]);
                if (count != 0)
                {
                    transitionCounts[((VrrpState)from, (VrrpState)to)] = count;
                }
            }
        }

        return new VrrpCountersSnapshot(
            AdvertsSent,
            AdvertsReceived,
            PriorityZeroSent,
            PriorityZeroReceived,
            UnknownVirtualRouterId,
            MasterDownExpiries,
            GarpSent,
            dropCounts,
            transitionCounts);
    }

    internal void AdvertSent(byte priority)
    {
        Interlocked.Increment(ref _advertsSent);
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            Interlocked.Increment(ref _priorityZeroSent);
        }
    }

    internal void AdvertReceived(byte priority)
    {
        Interlocked.Increment(ref _advertsReceived);
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            Interlocked.Increment(ref _priorityZeroReceived);
        }
    }

    internal void Dropped(VrrpDropReason reason)
    {
        if (reason == VrrpDropReason.UnknownVirtualRouterId)
        {
            Interlocked.Increment(ref _unknownVirtualRouterId);
        }
        else
        {
            Interlocked.Increment(ref _drops[(int)reason]);
        }
    }

    internal void MasterDownExpired() => Interlocked.Increment(ref _masterDownExpiries);

    internal void Garp() => Interlocked.Increment(ref _garpSent);

    internal void Transition(VrrpState from, VrrpState to) => Interlocked.Increment(ref _transitions[TransitionIndex(from, to)]);

    private static int TransitionIndex(VrrpState from, VrrpState to) => ((int)from * StateCount) + (int)to;
}
