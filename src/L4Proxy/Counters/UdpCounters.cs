namespace CloudCoreLb.L4Proxy.Counters;

/// <summary>
/// Lock-free datagram counters of one UDP frontend. In = from clients towards servers, out = back to clients, as
/// for TCP. Flows and bytes also go to the frontend's <see cref="FrontendCounters"/> (sessions = flows) and to each
/// server's <see cref="ServerCounters"/>.
/// </summary>
public sealed class UdpCounters
{
    private static readonly int Reasons = Enum.GetValues<UdpDrop>().Length;
    private readonly long[] _drops = new long[Reasons];
    private long _datagramsIn;
    private long _datagramsOut;
    private long _redispatches;

    /// <summary>Every drop reason, in a stable order.</summary>
    public static IReadOnlyList<UdpDrop> DropReasons { get; } = Enum.GetValues<UdpDrop>();

    /// <summary>Datagrams from clients forwarded to servers.</summary>
    public long DatagramsIn => Volatile.Read(ref _datagramsIn);

    /// <summary>Datagrams from servers forwarded to clients.</summary>
    public long DatagramsOut => Volatile.Read(ref _datagramsOut);

    /// <summary>Flows moved to another server (ICMP port unreachable from theirs, or theirs went down).</summary>
    public long Redispatches => Volatile.Read(ref _redispatches);

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    public long Dropped(UdpDrop reason) => Volatile.Read(ref _drops[(int)reason]);

    internal void In() => Interlocked.Increment(ref _datagramsIn);

    internal void Out() => Interlocked.Increment(ref _datagramsOut);

    internal void Redispatched() => Interlocked.Increment(ref _redispatches);

    internal void Drop(UdpDrop reason) => Interlocked.Increment(ref _drops[(int)reason]);
}
