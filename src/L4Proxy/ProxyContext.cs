using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy;

/// <summary>Services every session of one runtime shares.</summary>
internal sealed class ProxyContext
{
    public ProxyContext(TimeProvider time, ILogger logger, IDuplexCopier copier, int maxConnections)
    {
        Time = time;
        Logger = logger;
        Copier = copier;
        Pumps = new EventArgsPool<SessionPump>(() => new SessionPump(copier));
        GlobalLimiter = new ConnectionLimiter(maxConnections);
    }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public IDuplexCopier Copier { get; }

    /// <summary>Recycled per-direction pumps of established sessions.</summary>
    public EventArgsPool<SessionPump> Pumps { get; }

    /// <summary>Recycled connect event args.</summary>
    public EventArgsPool<ConnectEventArgs> ConnectArgs { get; } = new(static () => new ConnectEventArgs());

    public ConnectionLimiter GlobalLimiter { get; }

    public ConnectionTable Connections { get; } = new();

    /// <summary>Set when the runtime is stopping: new sessions are not started.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>Called on every failed connect attempt (passive health).</summary>
    public Action<ProxyServer, ConnectFailure>? ConnectFailed { get; set; }

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);
}
