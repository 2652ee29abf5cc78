using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.L4Proxy.Counters;

/// <summary>Lock-free counters of one frontend (haproxy <c>show stat</c> FRONTEND row). Bytes in = from clients.</summary>
public sealed class FrontendCounters
{
    private long _active;
    private long _total;
    private long _bytesIn;
    private long _bytesOut;
    private long _limitPauses;
    private long _descriptorPauses;
    private readonly long[] _closed = new long[CloseReasons.All.Length];

    /// <summary>Sessions open now (scur).</summary>
    public long Active => Volatile.Read(ref _active);

    /// <summary>Sessions accepted since start (stot).</summary>
    public long Total => Volatile.Read(ref _total);

    /// <summary>Bytes received from clients.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes sent to clients.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Times the listener paused because a connection limit was reached.</summary>
    public long LimitPauses => Volatile.Read(ref _limitPauses);

    /// <summary>
    /// Times accepting paused because the process had no descriptor left (EMFILE/ENFILE): once per episode, however
    /// often accept is retried until a descriptor frees up.
    /// </summary>
    public long DescriptorPauses => Volatile.Read(ref _descriptorPauses);

    /// <summary>Sessions ended with <paramref name="reason"/>.</summary>
    public long Closed(CloseReason reason) => Volatile.Read(ref _closed[CloseReasons.Index(reason)]);

    internal void Opened()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _total);
    }

    /// <summary>
    /// A session adopted from the process this one replaced: open here, but accepted (and counted in
    /// <see cref="Total"/>) there; the metrics carry that count over.
    /// </summary>
    internal void Resumed() => Interlocked.Increment(ref _active);

    internal void Ended(CloseReason reason)
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Increment(ref _closed[CloseReasons.Index(reason)]);
    }

    internal void AddIn(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    internal void AddOut(long bytes) => Interlocked.Add(ref _bytesOut, bytes);

    internal void LimitPaused() => Interlocked.Increment(ref _limitPauses);

    internal void DescriptorsExhausted() => Interlocked.Increment(ref _descriptorPauses);
}
