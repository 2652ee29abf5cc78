using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace CloudCoreLb.HealthCheck;

/// <summary>
/// Running totals of one <see cref="HealthCheckLoop"/>, read by the metrics component (e.g.
/// <c>cloudcore_lb_health_checks_total</c>, <c>..._check_failures_total{status}</c>). Written by the loop, read from
/// any thread; every value is monotonic except <see cref="LastDuration"/>.
/// </summary>
public sealed class HealthCheckCounters
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _failuresByStatus = new(StringComparer.Ordinal);
    private long _runs;
    private long _failures;
    private long _skipped;
    private long _upTransitions;
    private long _downTransitions;
    private long _lastDurationTicks;

    /// <summary>Probe runs that produced a result (skipped runs excluded).</summary>
    public long Runs => Volatile.Read(ref _runs);

    /// <summary>Runs that failed, any status.</summary>
    public long Failures => Volatile.Read(ref _failures);

    /// <summary>Runs skipped because the previous one was still going (keepalived #946).</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Down-to-up transitions of the rise/fall verdict.</summary>
    public long UpTransitions => Volatile.Read(ref _upTransitions);

    /// <summary>Up-to-down transitions of the rise/fall verdict.</summary>
    public long DownTransitions => Volatile.Read(ref _downTransitions);

    /// <summary>Duration of the last completed run; zero before the first.</summary>
    public TimeSpan LastDuration => TimeSpan.FromTicks(Volatile.Read(ref _lastDurationTicks));

    /// <summary>Failures per status code (L4CON, TIMEOUT, EXIT1, ...): a snapshot.</summary>
    public IReadOnlyDictionary<string, long> FailuresByStatus()
    {
        var snapshot = new Dictionary<string, long>(_failuresByStatus.Count, StringComparer.Ordinal);
        foreach (var (status, count) in _failuresByStatus)
        {
            snapshot[status] = Volatile.Read(ref count.Value);
        }

        return snapshot;
    }

    internal void RecordRun(in ProbeResult result, TimeSpan duration)
    {
        Interlocked.Increment(ref _runs);
        Volatile.Write(ref _lastDurationTicks, duration.Ticks);
        if (!result.Success)
        {
            Interlocked.Increment(ref _failures);
            var box = _failuresByStatus.GetOrAdd(result.Status, static _ => new StrongBox<long>());
            Interlocked.Increment(ref box.Value);
        }
    }

    internal void RecordSkipped() => Interlocked.Increment(ref _skipped);

    internal void RecordTransition(bool up)
    {
        if (up)
        {
            Interlocked.Increment(ref _upTransitions);
        }
        else
        {
            Interlocked.Increment(ref _downTransitions);
        }
    }
}
