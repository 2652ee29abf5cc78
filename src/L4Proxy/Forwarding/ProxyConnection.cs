using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Balancing;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// One proxied TCP session: pick a server, connect (with retries and redispatch), copy both ways with true half-close,
/// enforce the inactivity timeouts and end with exactly one <see cref="CloseReason"/>. Started on the thread pool as an
/// <see cref="IThreadPoolWorkItem"/> (no Task.Run); the accept loop has already taken both connection-limit slots.
/// </summary>
internal sealed partial class ProxyConnection : IThreadPoolWorkItem, ICopyObserver
{
    private const int FlagEstablished = 1;
    private const int FlagClientEof = 2;
    private const int FlagServerEof = 4;
    private const int FlagClientWriteShut = 8;
    private const int FlagServerWriteShut = 16;

    private readonly ProxyContext _context;
    private readonly ProxyFrontend _frontend;
    private readonly ProxyBackend _backend;
    private readonly Socket _client;
    private readonly long _started;
    private Socket? _upstream;
    private int _flags;
    private int _reason;
    private int _firstFin;
    private int _slot = -1;
    private int _retries;
    private int _pumpsRunning;
    private SessionPump? _toServer;
    private SessionPump? _toClient;

    public ProxyConnection(ProxyContext context, ProxyFrontend frontend, Socket client)
    {
        _context = context;
        _frontend = frontend;
        _backend = frontend.Backend;
        _client = client;
        _started = context.Time.GetTimestamp();
        _clientActivity = _started;
        _serverActivity = _started;
        var backend = _backend.Options;
        var options = frontend.Options;
        _clientTimeout = context.Ticks(options.ClientTimeout);
        _serverTimeout = context.Ticks(backend.ServerTimeout);
        _tunnelTimeout = backend.TunnelTimeout is { } tunnel ? context.Ticks(tunnel) : 0;
        _clientFinTimeout = options.ClientFinTimeout is { } cfin ? context.Ticks(cfin) : 0;
        _serverFinTimeout = backend.ServerFinTimeout is { } sfin ? context.Ticks(sfin) : 0;
    }

    public ProxyFrontend Frontend => _frontend;

    public ProxyBackend Backend => _backend;

    /// <summary>The server once one was picked.</summary>
    public ProxyServer? Server { get; private set; }

    public IPEndPoint? ClientEndPoint { get; private set; }

    public CloseReason Reason => (CloseReason)Volatile.Read(ref _reason);

    public bool IsEstablished => (Volatile.Read(ref _flags) & FlagEstablished) != 0;

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    /// <summary>Ends the session now with <paramref name="reason"/> unless it already has one.</summary>
    public void Abort(CloseReason reason)
    {
        if (TrySetReason(reason))
        {
            DisposeSockets();
        }
    }

    private async Task RunAsync()
    {
        var pumping = false;
        try
        {
            _slot = _context.Connections.Add(this);
            if (_context.Stopping.IsCancellationRequested)
            {
                TrySetReason(CloseReason.ProxyStopping);
                return;
            }

            ClientEndPoint = _client.RemoteEndPoint as IPEndPoint;
            var key = ClientEndPoint is { } remote ? ClientKey.From(remote.Address) : default;
            if (!await ConnectAsync(key).ConfigureAwait(false))
            {
                return;
            }

            var now = _context.Time.GetTimestamp();
            Volatile.Write(ref _clientActivity, now);
            Volatile.Write(ref _serverActivity, now);
            Interlocked.Or(ref _flags, FlagEstablished);
            if (_context.Logger.IsEnabled(LogLevel.Debug))
            {
                // Guarded here, not only inside the generated method: the arguments allocate.
                L4ProxyLog.SessionEstablished(_context.Logger, _frontend.Name, ClientEndPoint, Server!.ToString(), _retries);
            }

            StartPumps();
            pumping = true;
        }
        catch (Exception ex)
        {
            // A bug here must cost one session, never the daemon.
            if (TrySetReason(CloseReason.InternalError))
            {
                L4ProxyLog.SessionFailed(_context.Logger, _frontend.Name, ClientEndPoint, ex);
            }
        }
        finally
        {
            if (!pumping)
            {
                Finish();
            }
        }
    }

    /// <summary>
    /// Hands the established session to two callback-driven pumps; this method's state machine completes here, so an
    /// idle session holds only the pumps' pending zero-byte receives.
    /// </summary>
    private void StartPumps()
    {
        _pumpsRunning = 2;
        var upstream = _upstream!;
        _toServer = _context.Pumps.Rent();
        _toClient = _context.Pumps.Rent();
        _toServer.Start(this, _client, upstream, fromClient: true);
        _toClient.Start(this, upstream, _client, fromClient: false);
    }

    /// <summary>Called once per direction by its <see cref="SessionPump"/>; the second call ends the session.</summary>
    internal void OnPumpEnded(bool fromClient, CopyResult result)
    {
        var destination = fromClient ? _upstream! : _client;
        switch (result)
        {
            case CopyResult.SourceClosed:
                // True half-close: everything read was already written, so pass the FIN on and keep the other
                // direction flowing (l4proxy.md §5).
                Interlocked.CompareExchange(ref _firstFin, fromClient ? 1 : 2, 0);
                Interlocked.Or(ref _flags, fromClient ? FlagClientEof | FlagServerWriteShut : FlagServerEof | FlagClientWriteShut);
                try
                {
                    destination.Shutdown(SocketShutdown.Send);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // The peer is gone already; its own direction reports how.
                }

                break;
            case CopyResult.SourceError:
                Abort(fromClient ? CloseReason.ClientReset : CloseReason.ServerReset);
                break;
            case CopyResult.DestinationError:
                Abort(fromClient ? CloseReason.ServerReset : CloseReason.ClientReset);
                break;
            default:
                Abort(CloseReason.InternalError);
                break;
        }

        PumpDone();
    }

    /// <summary>A pump threw: a bug must cost one session, never the daemon (callbacks run on the epoll thread).</summary>
    internal void OnPumpFailed(Exception ex)
    {
        if (TrySetReason(CloseReason.InternalError))
        {
            L4ProxyLog.SessionFailed(_context.Logger, _frontend.Name, ClientEndPoint, ex);
            DisposeSockets();
        }

        PumpDone();
    }

    private void PumpDone()
    {
        if (Interlocked.Decrement(ref _pumpsRunning) == 0)
        {
            TrySetReason(Volatile.Read(ref _firstFin) == 2 ? CloseReason.ServerClosed : CloseReason.ClientClosed);
            Finish();

            // Only after Finish returned: if it threw, the pumps are dropped rather than recycled half-done.
            _toServer!.Reset();
            _toClient!.Reset();
            _context.Pumps.Return(_toServer);
            _context.Pumps.Return(_toClient);
            _toServer = _toClient = null;
        }
    }

    void ICopyObserver.OnReceived(bool fromClient, int bytes)
    {
        var now = _context.Time.GetTimestamp();
        Volatile.Write(ref fromClient ? ref _clientActivity : ref _serverActivity, now);
        if (fromClient)
        {
            _frontend.Counters.AddIn(bytes);
            _backend.Counters.AddIn(bytes);
            Server!.Counters.AddIn(bytes);
        }
        else
        {
            _frontend.Counters.AddOut(bytes);
            _backend.Counters.AddOut(bytes);
            Server!.Counters.AddOut(bytes);
        }
    }

    void ICopyObserver.OnSent(bool fromClient, int bytes)
    {
        var now = _context.Time.GetTimestamp();
        Volatile.Write(ref fromClient ? ref _serverActivity : ref _clientActivity, now);
    }

    private bool TrySetReason(CloseReason reason) => Interlocked.CompareExchange(ref _reason, (int)reason, 0) == 0;

    private void DisposeSockets()
    {
        _client.Dispose();
        Volatile.Read(ref _upstream)?.Dispose();
    }

    private void Finish()
    {
        DisposeSockets();
        if (_slot >= 0)
        {
            _context.Connections.Remove(_slot);
        }

        var reason = Reason;
        if (Server is { } server)
        {
            server.Counters.Unassigned();
            _backend.Counters.Unassigned();
        }

        _frontend.Counters.Ended(reason);
        _frontend.Limiter.Release();
        _context.GlobalLimiter.Release();
        if (_context.Logger.IsEnabled(LogLevel.Debug))
        {
            L4ProxyLog.SessionClosed(_context.Logger, _frontend.Name, ClientEndPoint, Server?.ToString() ?? "<NOSRV>", reason,
                _context.Time.GetElapsedTime(_started).TotalMilliseconds);
        }
    }
}
