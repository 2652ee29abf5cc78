namespace CloudCoreLb.HealthCheck;

/// <summary>
/// Runs one <see cref="IHealthProbe"/> forever on a <see cref="TimeProvider"/>, feeds a
/// <see cref="RiseFallTracker"/> and reports every result and every up/down change. One loop per checked target;
/// VRRP tracking and proxy server checks both use it.
/// </summary>
public sealed class HealthCheckLoop : IAsyncDisposable
{
    private readonly IHealthProbe _probe;
    private readonly HealthCheckTiming _timing;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates a loop; call <see cref="Start"/> to run it.</summary>
    public HealthCheckLoop(IHealthProbe probe, RiseFallTracker tracker, HealthCheckTiming timing, TimeProvider time)
    {
        _probe = probe;
        Tracker = tracker;
        _timing = timing;
        _time = time;
    }

    /// <summary>Raised after every probe run with the result and its duration.</summary>
    public event Action<HealthCheckLoop, ProbeResult, TimeSpan>? Completed;

    /// <summary>Raised when the tracker's verdict flips; the argument is the new verdict.</summary>
    public event Action<HealthCheckLoop, bool>? StateChanged;

    /// <summary>The probe this loop runs.</summary>
    public IHealthProbe Probe => _probe;

    /// <summary>The rise/fall state.</summary>
    public RiseFallTracker Tracker { get; }

    /// <summary>The last result, if any.</summary>
    public ProbeResult? LastResult { get; private set; }

    /// <summary>Starts the loop.</summary>
    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>Runs the probe once with the configured timeout and records the result.</summary>
    public async Task<ProbeResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ProbeResult result;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_timing.EffectiveTimeout);
            try
            {
                result = await _probe.ProbeAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = ProbeResult.Fail("TIMEOUT", $"no answer within {_timing.EffectiveTimeout.TotalMilliseconds} ms");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A probe bug or an unexpected socket error is a failed check, never a dead loop.
                result = ProbeResult.Fail("ERROR", ex.Message);
            }
        }

        LastResult = result;
        var changed = Tracker.Report(result.Success);
        Completed?.Invoke(this, result, _time.GetElapsedTime(started));
        if (changed)
        {
            StateChanged?.Invoke(this, Tracker.IsUp);
        }

        return result;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_timing.InitialDelay > TimeSpan.Zero)
            {
                await Task.Delay(_timing.InitialDelay, _time, cancellationToken).ConfigureAwait(false);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_timing.NextInterval(Tracker), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
