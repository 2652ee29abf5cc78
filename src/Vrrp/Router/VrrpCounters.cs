using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Per-instance VRRP counters, the keepalived stats set (vrrp.md §3) plus the drops keepalived never counts
/// (unknown VRID, advert interval mismatch). Updated with interlocked operations; readable from any thread.
/// </summary>
public sealed class VrrpCounters
{
    private const int StateCount = (int)VrrpState.Fault + 1;
    private static readonly int DropReasonCount = Enum.GetValues<VrrpDropReason>().Max(r => (int)r) + 1;

    private readonly long[] drops = new long[DropReasonCount];
    private readonly long[] transitions = new long[StateCount * StateCount];
    private long advertsSent;
    private long advertsReceived;
    private long priorityZeroSent;
    private long priorityZeroReceived;
    private long unknownVirtualRouterId;
    private long masterDownExpiries;
    private long garpSent;

    /// <summary>Adverts sent, priority-0 releases included.</summary>
    public long AdvertsSent => Volatile.Read(ref advertsSent);

    /// <summary>Valid adverts received (after validation), priority 0 included.</summary>
    public long AdvertsReceived => Volatile.Read(ref advertsReceived);

    /// <summary>Priority-0 (release) adverts sent.</summary>
    public long PriorityZeroSent => Volatile.Read(ref priorityZeroSent);

    /// <summary>Valid priority-0 adverts received.</summary>
    public long PriorityZeroReceived => Volatile.Read(ref priorityZeroReceived);

    /// <summary>Datagrams for another VRID on the same socket: ignored, not an error.</summary>
    public long UnknownVirtualRouterId => Volatile.Read(ref unknownVirtualRouterId);

    /// <summary>Master-down timer expiries that made this node master.</summary>
    public long MasterDownExpiries => Volatile.Read(ref masterDownExpiries);

    /// <summary>Gratuitous ARPs sent.</summary>
    public long GarpSent => Volatile.Read(ref garpSent);

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    public long GetDrops(VrrpDropReason reason) => Volatile.Read(ref drops[(int)reason]);

    /// <summary>Number of transitions from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public long GetTransitions(VrrpState from, VrrpState to) => Volatile.Read(ref transitions[TransitionIndex(from, to)]);

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
                var count = Volatile.Read(ref transitions[(from * StateCount) + to]);
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
        Interlocked.Increment(ref advertsSent);
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            Interlocked.Increment(ref priorityZeroSent);
        }
    }

    internal void AdvertReceived(byte priority)
    {
        Interlocked.Increment(ref advertsReceived);
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            Interlocked.Increment(ref priorityZeroReceived);
        }
    }

    internal void Dropped(VrrpDropReason reason)
    {
        if (reason == VrrpDropReason.UnknownVirtualRouterId)
        {
            Interlocked.Increment(ref unknownVirtualRouterId);
        }
        else
        {
            Interlocked.Increment(ref drops[(int)reason]);
        }
    }

    internal void MasterDownExpired() => Interlocked.Increment(ref masterDownExpiries);

    internal void Garp() => Interlocked.Increment(ref garpSent);

    internal void Transition(VrrpState from, VrrpState to) => Interlocked.Increment(ref transitions[TransitionIndex(from, to)]);

    private static int TransitionIndex(VrrpState from, VrrpState to) => ((int)from * StateCount) + (int)to;
}
