using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>
/// Priority from health: combines tracked checks, each with its weight, into (delta, fault) exactly as keepalived
/// combines <c>track_script</c>s (docs/design/vrrp.md §8, <c>vrrp_track.c</c>): weight &lt; 0 subtracts |w| while the check
/// fails; weight &gt; 0 adds w while it passes; weight 0 means FAULT while it fails and also until its first result
/// (keepalived keeps the instance in INIT/FAULT until every weight-0 script has reported). A check with no result
/// yet has no weight effect. All contributions add into one delta; clamping configured priority + delta to 1..254
/// (and ignoring it for the address owner) is the VRRP side's job.
/// </summary>
/// <remarks>
/// Thread-safe: checks report from their own loops. <see cref="Changed"/> is raised under the tracker's lock, in
/// order, once per change of (delta, fault); handlers must be quick (post to the VRRP loop, which then advertises at
/// once) and may read <see cref="Current"/>.
/// </remarks>
public sealed class PriorityTracker : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly ILogger _logger;
    private (int Delta, bool Fault) _current;
    private long _changes;

    /// <summary>Creates an empty tracker: delta 0, no fault.</summary>
    public PriorityTracker(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>Raised with the new (delta, fault) whenever either changes.</summary>
    public event Action<int, bool>? Changed;

    /// <summary>The current combination.</summary>
    public (int Delta, bool Fault) Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>How many times (delta, fault) changed, for metrics.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Follows <paramref name="check"/> with its own weight or <paramref name="weightOverride"/>.</summary>
    public void Track(TrackedCheck check, int? weightOverride = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        Track(check.Loop, weightOverride ?? check.Weight, check.Name);
    }

    /// <summary>
    /// Follows a loop with <paramref name="weight"/> (-253..253). Call before the loop starts: the starting state is
    /// read from the counter's initial state (undecided, or failed with <c>init_fail</c>).
    /// </summary>
    public void Track(HealthCheckLoop loop, int weight, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, -TrackingOptions.MaxWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, TrackingOptions.MaxWeight);
        var tracker = loop.Tracker;
        var initial = tracker.HasResult
            ? (tracker.IsUp ? TrackedCheckState.Up : TrackedCheckState.Down)
            : tracker.InitialState switch
            {
                HealthInitialState.FullyUp or HealthInitialState.Up => TrackedCheckState.Up,
                HealthInitialState.FullyDown => TrackedCheckState.Down,
                _ => TrackedCheckState.Unknown,
            };
        var entry = new Entry(this, loop, name ?? loop.Name, weight, initial);
        lock (_gate)
        {
            _entries.Add(entry);
            Recompute();
        }

        loop.Completed += entry.OnCompleted;
    }

    /// <summary>Each check's state and contribution, for status output.</summary>
    public IReadOnlyList<TrackedCheckStatus> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries.Select(e => new TrackedCheckStatus(e.Name, e.Weight, e.State, Contribution(e), CausesFault(e)))];
        }
    }

    /// <summary>Stops following the loops.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                entry.Loop.Completed -= entry.OnCompleted;
            }

            _entries.Clear();
        }
    }

    private void Report(Entry entry, bool up)
    {
        lock (_gate)
        {
            entry.State = up ? TrackedCheckState.Up : TrackedCheckState.Down;
            Recompute();
        }
    }

    private void Recompute()
    {
        var delta = 0;
        var fault = false;
        foreach (var entry in _entries)
        {
            delta += Contribution(entry);
            fault |= CausesFault(entry);
        }

        var previous = _current;
        if (previous == (delta, fault))
        {
            return;
        }

        _current = (delta, fault);
        Interlocked.Increment(ref _changes);
        HealthCheckLog.PriorityChanged(_logger, delta, previous.Delta, fault, previous.Fault);
        try
        {
            Changed?.Invoke(delta, fault);
        }
        catch (Exception ex)
        {
            HealthCheckLog.CheckSubscriberFailed(_logger, "priority tracker", ex);
        }
    }

    private static int Contribution(Entry entry) => entry switch
    {
        { Weight: > 0, State: TrackedCheckState.Up } => entry.Weight,
        { Weight: < 0, State: TrackedCheckState.Down } => entry.Weight,
        _ => 0,
    };

    private static bool CausesFault(Entry entry) => entry.Weight == 0 && entry.State != TrackedCheckState.Up;

    private sealed class Entry(PriorityTracker owner, HealthCheckLoop loop, string name, int weight, TrackedCheckState state)
    {
        public HealthCheckLoop Loop { get; } = loop;

        public string Name { get; } = name;

        public int Weight { get; } = weight;

        public TrackedCheckState State { get; set; } = state;

        // Runs on the loop's flow right after the counter took the result, so IsUp is consistent here.
        public void OnCompleted(HealthCheckLoop source, ProbeResult _, TimeSpan __) =>
            owner.Report(this, source.Tracker.IsUp);
    }
}
