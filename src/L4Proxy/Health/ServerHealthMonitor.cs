using CloudCoreLb.HealthCheck;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy.Health;

/// <summary>
/// Active check of one server: the shared <see cref="HealthCheckLoop"/> runs the probe and owns the
/// <see cref="RiseFallTracker"/>; this class schedules it (inter / fastinter / downinter from
/// <see cref="HealthCheckTiming"/>, next run = interval after the previous one ended, as haproxy) and adds the passive
/// path: a failed proxied connect calls <see cref="RequestFastCheck"/>, which pulls the next check forward to
/// <see cref="PassiveCheckDelay"/> (or fastinter) after the previous check. Passive failures never change the state
/// by themselves; repeated ones keep the checks fast, so a dead server goes down after <c>fall</c> quick checks.
/// </summary>
internal sealed class ServerHealthMonitor : IAsyncDisposable
{
    /// <summary>Spacing of checks pulled forward by passive failures when no fastinter is set.</summary>
    public static readonly TimeSpan PassiveCheckDelay = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _kickLock = new();
    private CancellationTokenSource? _kick;
    private bool _kickPending;
    private TaskCompletionSource? _resumed;
    private Task? _run;
    private int _parked;

    public ServerHealthMonitor(ProxyServer server, IHealthProbe probe, TimeProvider time, ILogger logger, Action<ProxyServer, bool> stateChanged)
    {
        Server = server;
        _time = time;
        _logger = logger;
        var tracker = new RiseFallTracker(server.Rise, server.Fall, server.InitialState);
        Loop = new HealthCheckLoop(probe, tracker, server.Timing, time);
        Loop.Completed += (_, result, duration) =>
        {
            server.LastCheckStatus = result.Status;
            server.LastCheckDuration = duration;
            if (!result.Success)
            {
                server.Counters.CheckFailed();
            }

            L4ProxyLog.CheckCompleted(_logger, server.ToString(), result.Status, result.Detail, duration.TotalMilliseconds, tracker.Health);
        };
        Loop.StateChanged += (_, up) => stateChanged(server, up);
        if (server.AdminState == ServerAdminState.Maint)
        {
            Pause();
        }
    }

    public ProxyServer Server { get; }

    public HealthCheckLoop Loop { get; }

    /// <summary>How many waits have started; lets fake-clock tests advance time only once the wait's timer exists.</summary>
    internal int WaitsStarted => Volatile.Read(ref _parked);

    public void Start() => _run ??= RunAsync(_stop.Token);

    /// <summary>Whether checks are parked (maintenance).</summary>
    public bool IsPaused
    {
        get
        {
            lock (_kickLock)
            {
                return _resumed is not null;
            }
        }
    }

    /// <summary>Stops checking after the check in progress, until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        lock (_kickLock)
        {
            _resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _kick?.Cancel();
        }
    }

    /// <summary>Checks again, the first time at once.</summary>
    public void Resume()
    {
        TaskCompletionSource? resumed;
        lock (_kickLock)
        {
            resumed = _resumed;
            _resumed = null;
        }

        resumed?.TrySetResult();
    }

    /// <summary>A proxied connect to this server failed: check it again soon.</summary>
    public void RequestFastCheck()
    {
        lock (_kickLock)
        {
            if (_kickPending)
            {
                return;
            }

            _kickPending = true;
            _kick?.Cancel();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await WhilePausedAsync(cancellationToken).ConfigureAwait(false);
                await Loop.RunOnceAsync(cancellationToken).ConfigureAwait(false);
                var ended = _time.GetTimestamp();
                await WaitAsync(ended, Server.Timing.NextInterval(Loop.Tracker), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task WhilePausedAsync(CancellationToken cancellationToken)
    {
        Task? resumed;
        lock (_kickLock)
        {
            resumed = _resumed?.Task;
        }

        if (resumed is null)
        {
            return;
        }

        Interlocked.Increment(ref _parked);
        await resumed.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Loop.Tracker.IsUp)
        {
            // Whatever the server did while unchecked, one failure is enough to take it out again.
            Loop.Tracker.Restart(HealthInitialState.Up);
        }
    }

    private async Task WaitAsync(long ended, TimeSpan wait, CancellationToken cancellationToken)
    {
        lock (_kickLock)
        {
            _kickPending = false;
        }

        var kicked = false;
        while (true)
        {
            CancellationTokenSource kick;
            lock (_kickLock)
            {
                kick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _kick = kick;
                if (_kickPending && !kicked)
                {
                    kick.Cancel();
                }
            }

            try
            {
                var remaining = wait - _time.GetElapsedTime(ended);
                if (remaining > TimeSpan.Zero)
                {
                    var delay = Task.Delay(remaining, _time, kick.Token);
                    Interlocked.Increment(ref _parked);
                    await delay.ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (IsPaused)
                {
                    return;
                }

                // One pull-forward per cycle; further passive failures wait for the next check.
                kicked = true;
                var fast = Server.Timing.FastInterval ?? PassiveCheckDelay;
                if (fast < wait)
                {
                    wait = fast;
                }
            }
            finally
            {
                lock (_kickLock)
                {
                    _kick = null;
                }

                kick.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
