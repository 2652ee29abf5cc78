using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.HealthCheck;

/// <summary>
/// Runs one <see cref="IHealthProbe"/> forever on a <see cref="TimeProvider"/>, feeds a
/// <see cref="RiseFallTracker"/> and reports every result and every up/down change. One loop per checked target;
/// VRRP tracking and proxy server checks both use it.
/// </summary>
/// <remarks>
/// Events are raised on the loop's own flow, one at a time; handlers must be quick and must not block (post to your
/// own loop). A throwing handler is logged and never stops the checks.
/// </remarks>
public sealed class HealthCheckLoop : IAsyncDisposable
{
    private readonly IHealthProbe _probe;
    private readonly HealthCheckTiming _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates a loop; call <see cref="Start"/> to run it.</summary>
    public HealthCheckLoop(
        IHealthProbe probe, RiseFallTracker tracker, HealthCheckTiming timing, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(timing);
        ArgumentNullException.ThrowIfNull(time);
        _probe = probe;
        Tracker = tracker;
        _timing = timing;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        Name = probe.Description;
    }

    /// <summary>Raised after every probe run with the result and its duration (skipped runs excluded).</summary>
    public event Action<HealthCheckLoop, ProbeResult, TimeSpan>? Completed;

    /// <summary>Raised when the tracker's verdict flips; the argument is the new verdict.</summary>
    public event Action<HealthCheckLoop, bool>? StateChanged;

    /// <summary>Raised when a run was skipped because the previous one was still going.</summary>
    public event Action<HealthCheckLoop>? Skipped;

    /// <summary>Name for logs and metrics. <remarks>Defaults to the probe's description.</remarks></summary>
    public string Name { get; init; }

    /// <summary>The probe this loop runs.</summary>
    public IHealthProbe Probe => _probe;

    /// <summary>The rise/fall state. Owned by the loop: read it from the loop's events.</summary>
    public RiseFallTracker Tracker { get; }

    /// <summary>The timing in use.</summary>
    public HealthCheckTiming Timing => _timing;

    /// <summary>Totals for the metrics component.</summary>
    public HealthCheckCounters Counters { get; } = new();

    /// <summary>The last result, if any.</summary>
    public ProbeResult? LastResult { get; private set; }

    /// <summary>Starts the loop.</summary>
    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>Runs the probe once with the configured timeout and records the result.</summary>
    /// <remarks>
    /// The timeout runs on the loop's <see cref="TimeProvider"/> (a plain <c>CancelAfter</c> would use the system
    /// clock and escape <c>FakeTimeProvider</c>). A skipped run (<see cref="ProbeResult.IsSkipped"/>) is counted but
    /// not fed to the tracker.
    /// </remarks>
    public async Task<ProbeResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ProbeResult result;
        using (var timeout = new CancellationTokenSource(_timing.EffectiveTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                result = await _probe.ProbeAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = timeout.IsCancellationRequested
                    ? ProbeResult.Fail("TIMEOUT", $"no answer within {_timing.EffectiveTimeout.TotalMilliseconds} ms")
                    : ProbeResult.Fail("ERROR", "probe cancelled itself");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A probe bug or an unexpected socket error is a failed check, never a dead loop.
                result = ProbeResult.Fail("ERROR", ex.Message);
            }
        }

        if (result.IsSkipped)
        {
            Counters.RecordSkipped();
            HealthCheckLog.CheckRunSkipped(_logger, Name, result.Detail);
            Raise(static (self, _) => self.Skipped?.Invoke(self), 0);
            return result;
        }

        var duration = _time.GetElapsedTime(started);
        var previous = LastResult;
        LastResult = result;
        Counters.RecordRun(result, duration);
        var changed = Tracker.Report(result.Success);
        if (previous is null || previous.Value.Success != result.Success || previous.Value.Status != result.Status)
        {
            HealthCheckLog.CheckResultChanged(
                _logger, Name, result.Status, previous?.Status ?? "none", result.Detail, Tracker.Health,
                Tracker.Rise + Tracker.Fall - 1);
        }

        Raise(static (self, s) => self.Completed?.Invoke(self, s.result, s.duration), (result, duration));
        if (changed)
        {
            Counters.RecordTransition(Tracker.IsUp);
            if (Tracker.IsUp)
            {
                HealthCheckLog.CheckUp(_logger, Name, Tracker.Rise, result.Status);
            }
            else
            {
                HealthCheckLog.CheckDown(_logger, Name, Tracker.Fall, result.Status, result.Detail);
            }

            Raise(static (self, up) => self.StateChanged?.Invoke(self, up), Tracker.IsUp);
        }

        return result;
    }

    private void Raise<TState>(Action<HealthCheckLoop, TState> raise, TState state)
    {
        try
        {
            raise(this, state);
        }
        catch (Exception ex)
        {
            HealthCheckLog.CheckSubscriberFailed(_logger, Name, ex);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_timing.InitialDelay > TimeSpan.Zero)
            {
                await TimeProviderDelay.DelayAsync(_time, _timing.InitialDelay, cancellationToken).ConfigureAwait(false);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                var interval = _timing.NextInterval(Tracker);
                var wait = interval;
                if (_timing.Schedule == HealthCheckSchedule.FixedRate)
                {
                    wait = FixedRateWait(_time.GetElapsedTime(started), interval, out var missed);
                    for (var i = 0; i < missed; i++)
                    {
                        // Ticks that fell while the run was going: skipped, nothing recorded (keepalived #946).
                        Counters.RecordSkipped();
                        HealthCheckLog.CheckRunSkipped(_logger, Name, "the run outlasted the interval");
                        Raise(static (self, _) => self.Skipped?.Invoke(self), 0);
                    }
                }

                await TimeProviderDelay.DelayAsync(_time, wait, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Fixed-rate placement: the next start is the first tick (start + k * interval, k &gt;= 1) not before now;
    /// the ticks passed over are the missed ones.
    /// </summary>
    internal static TimeSpan FixedRateWait(TimeSpan elapsed, TimeSpan interval, out int missed)
    {
        if (elapsed < interval)
        {
            missed = 0;
            return interval - elapsed;
        }

        var ticks = Math.Max(1, (elapsed.Ticks + interval.Ticks - 1) / interval.Ticks);
        missed = (int)Math.Min(int.MaxValue, ticks - 1);
        return TimeSpan.FromTicks((ticks * interval.Ticks) - elapsed.Ticks);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
