using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy;

/// <summary>Services every session of one runtime shares.</summary>
internal sealed class ProxyContext
{
    private int _activeSessions;
    private TaskCompletionSource? _sessionEndWaiter;

    public ProxyContext(TimeProvider time, ILogger logger, EpollLoopGroup loops, int maxConnections)
    {
        Time = time;
        Logger = logger;
        Loops = loops;
        GlobalLimiter = new ConnectionLimiter(maxConnections);
    }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>The event loops that own every listener registration and session.</summary>
    public EpollLoopGroup Loops { get; }

    public ConnectionLimiter GlobalLimiter { get; }

    /// <summary>Sessions open now, on every loop.</summary>
    public int ActiveSessions => Volatile.Read(ref _activeSessions);

    /// <summary>Set when the runtime is stopping: new sessions are not started.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>Where long-lived sessions are kept for crash recovery; null when off.</summary>
    public Handover.SessionPreservation? Preservation { get; set; }

    /// <summary><see cref="Handover.SessionPreservation.Threshold"/> in timestamp ticks.</summary>
    public long PreserveAfter { get; set; }

    /// <summary>Called on every failed connect attempt (passive health).</summary>
    public Action<ProxyServer, ConnectFailure>? ConnectFailed { get; set; }

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);

    public void SessionStarted() => Interlocked.Increment(ref _activeSessions);

    public void SessionEnded()
    {
        Interlocked.Decrement(ref _activeSessions);
        if (Volatile.Read(ref _sessionEndWaiter) is not null)
        {
            Interlocked.Exchange(ref _sessionEndWaiter, null)?.TrySetResult();
        }
    }

    /// <summary>
    /// Completes when the next session ends (its descriptors are closed by then): a listener paused for lack of
    /// descriptors retries at once. Allocates only while someone waits.
    /// </summary>
    public Task NextSessionEndAsync()
    {
        var waiter = Volatile.Read(ref _sessionEndWaiter);
        if (waiter is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _sessionEndWaiter, created, null) ?? created;
        }

        return waiter.Task;
    }

    /// <summary>Runs <paramref name="action"/> on every session, each on its own loop's thread.</summary>
    public Task ForEachSessionAsync(Action<ProxyConnection> action) =>
        Loops.ForEachAsync(handler =>
        {
            if (handler is ProxyConnection connection)
            {
                action(connection);
            }
        });
}
