using System.Net;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// One proxied TCP session, owned by the <see cref="EpollLoop"/> that accepted it: pick a server, connect (with
/// retries and redispatch), move bytes both ways with true half-close, enforce the timeouts and end with exactly one
/// <see cref="CloseReason"/>. Everything runs on the loop's thread; other threads only request an abort
/// (<see cref="Abort"/>), which is posted to the loop.
/// </summary>
internal sealed partial class ProxyConnection : IEpollHandler, IEpollWork
{
    private const int ClientSide = 0;
    private const int ServerSide = 1;
    private const uint Readable = EpollEvents.Readable;
    private const uint Writable = EpollEvents.Writable;

    /// <summary>Both descriptors are registered once, edge-triggered, for reading and writing: no epoll_ctl per burst.</summary>
    private const uint Interest = EpollEvents.In | EpollEvents.Out | EpollEvents.ReadHangUp | EpollEvents.EdgeTriggered;

    private readonly ProxyContext _context;
    private readonly ProxyFrontend _frontend;
    private readonly ProxyBackend _backend;
    private readonly EpollLoop _loop;
    private readonly PeerAddress _peer;
    private readonly long _started;
    private int _slot = -1;
    private readonly int _clientFd;
    private int _upstreamFd = -1;
    private uint _generation;
    private bool _established;
    private bool _closed;
    private int _requestedAbort;
    private SessionSide _firstFinFrom;
    private uint _clientEventsWhileConnecting;
    private SessionSide _deferredFinTo;
    private Direction _toServer;
    private Direction _toClient;
    private IPEndPoint? _clientEndPoint;

    public ProxyConnection(ProxyContext context, ProxyFrontend frontend, EpollLoop loop, int clientFd, PeerAddress peer)
        : this(context, frontend, frontend.Model.Backend, loop, clientFd, peer)
    {
    }

    private ProxyConnection(ProxyContext context, ProxyFrontend frontend, ProxyBackend backend, EpollLoop loop, int clientFd, PeerAddress peer)
    {
        _context = context;
        _frontend = frontend;
        var model = frontend.Model;
        _backend = backend;
        _loop = loop;
        _clientFd = clientFd;
        _peer = peer;
        _started = context.Time.GetTimestamp();
        _clientActivity = _started;
        _serverActivity = _started;
        var backendOptions = backend.Options;
        var options = model.Options;
        _clientTimeout = context.Ticks(options.ClientTimeout);
        _serverTimeout = context.Ticks(backendOptions.ServerTimeout);
        _tunnelTimeout = backendOptions.TunnelTimeout is { } tunnel ? context.Ticks(tunnel) : 0;
        _clientFinTimeout = options.ClientFinTimeout is { } cfin ? context.Ticks(cfin) : 0;
        _serverFinTimeout = backendOptions.ServerFinTimeout is { } sfin ? context.Ticks(sfin) : 0;
    }

    /// <summary>The server once one was picked.</summary>
    public ProxyServer? Server { get; private set; }

    public IPEndPoint ClientEndPoint => _clientEndPoint ??= _peer.ToEndPoint();

    public bool IsEstablished => _established;

    /// <summary>Starts the session on its loop's thread: register, then the first connect attempt.</summary>
    public void Start()
    {
        _slot = _loop.Register(this);
        _context.SessionStarted();
        if (_context.Stopping.IsCancellationRequested)
        {
            Close(CloseReason.ProxyStopping);
            return;
        }

        // TCP_NODELAY came from the listener (ListenSocketFactory).
        if (_loop.Add(_clientFd, new EpollToken(_slot, ClientSide, 0), Interest) != 0)
        {
            Close(CloseReason.ResourceExhausted);
            return;
        }

        NextAttempt();
    }

    /// <summary>Ends the session with <paramref name="reason"/> unless it already has one; any thread.</summary>
    public void Abort(CloseReason reason)
    {
        if (_loop.IsCurrentThread)
        {
            Close(reason);
        }
        else if (Interlocked.CompareExchange(ref _requestedAbort, (int)reason, 0) == 0)
        {
            _loop.Post(this);
        }
    }

    void IEpollWork.Execute()
    {
        var reason = (CloseReason)Interlocked.Exchange(ref _requestedAbort, 0);
        if (reason != CloseReason.None)
        {
            Close(reason);
        }

        if (!_frozen && Interlocked.Exchange(ref _retryDue, 0) != 0 && !_closed)
        {
            TryConnect(Server!);
        }

        if (_deferredFinTo != SessionSide.None && !_closed)
        {
            var to = _deferredFinTo;
            _deferredFinTo = SessionSide.None;
            var error = NativeSocket.ShutdownWrite(to == SessionSide.Server ? _upstreamFd : _clientFd);
            if (error != 0 && error != ENOTCONN)
            {
                // ENOTCONN: that peer reset meanwhile, which its own event reports. Anything else is a broken socket.
                Close(to == SessionSide.Server ? CloseReason.ServerReset : CloseReason.ClientReset);
            }
        }
    }

    void IEpollHandler.OnEvents(EpollToken token, uint events)
    {
        if (_closed || _frozen)
        {
            return;
        }

        if (token.Side == ServerSide)
        {
            if (token.Generation != _generation)
            {
                return;
            }

            if (!_established)
            {
                OnConnectEvent(events);
                return;
            }

            if ((events & Readable) != 0)
            {
                Transfer(fromClient: false, HintOf(events));
            }

            if ((events & Writable) != 0 && _toServer.Pending > 0 && !_closed)
            {
                Transfer(fromClient: true, ReadHint.ReadToEnd);
            }

            return;
        }

        // Before the server is connected, client data waits in the kernel; OnConnected reads it.
        if (!_established)
        {
            _clientEventsWhileConnecting |= events;
            return;
        }

        if ((events & Readable) != 0)
        {
            Transfer(fromClient: true, HintOf(events));
        }

        if ((events & Writable) != 0 && _toClient.Pending > 0 && !_closed)
        {
            Transfer(fromClient: false, ReadHint.ReadToEnd);
        }
    }

    void IEpollHandler.OnTick(long now) => CheckTimeouts(now);

    void IEpollHandler.OnFault(Exception exception)
    {
        if (_closed)
        {
            return;
        }

        // A bug here must cost one session, never the daemon.
        L4ProxyLog.SessionFailed(_context.Logger, _frontend.Name, ClientEndPoint, exception);
        Close(CloseReason.InternalError);
    }

    /// <param name="serverEvents">The connect's epoll event: data the server already sent comes with it.</param>
    private void OnConnected(uint serverEvents)
    {
        _connectDeadline = 0;
        var server = Server!;
        server.Counters.Established();
        _backend.Counters.Established();
        var now = _context.Time.GetTimestamp();
        _clientActivity = now;
        _serverActivity = now;
        _established = true;
        if (_context.Logger.IsEnabled(LogLevel.Debug))
        {
            // Guarded here, not only inside the generated method: the arguments allocate.
            L4ProxyLog.SessionEstablished(_context.Logger, _frontend.Name, ClientEndPoint, server.ToString(), _retries);
        }

        // Edge-triggered: what arrived while connecting raised its event already, so read what those events said.
        if ((_clientEventsWhileConnecting & Readable) != 0)
        {
            Transfer(fromClient: true, HintOf(_clientEventsWhileConnecting));
        }

        if ((serverEvents & Readable) != 0 && !_closed)
        {
            Transfer(fromClient: false, HintOf(serverEvents));
        }
    }

    /// <summary>Closes both descriptors and releases everything the session holds; idempotent, loop thread only.</summary>
    private void Close(CloseReason reason)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Unpreserve(reason);
        NativeSocket.Close(_clientFd);
        if (_upstreamFd >= 0)
        {
            NativeSocket.Close(_upstreamFd);
            _upstreamFd = -1;
        }

        ReleaseBuffers(ref _toServer);
        ReleaseBuffers(ref _toClient);
        _retryTimer?.Dispose();
        if (_slot >= 0)
        {
            _loop.Unregister(_slot);
        }

        Finish(reason);
    }

    private void Finish(CloseReason reason)
    {
        if (Server is { } server)
        {
            server.Counters.Unassigned();
            _backend.Counters.Unassigned();
        }

        _frontend.Counters.Ended(reason);
        _frontend.Limiter.Release();
        _context.GlobalLimiter.Release();
        _context.SessionEnded();
        if (_context.Logger.IsEnabled(LogLevel.Debug))
        {
            L4ProxyLog.SessionClosed(_context.Logger, _frontend.Name, ClientEndPoint, Server?.ToString() ?? "<NOSRV>", reason,
                _context.Time.GetElapsedTime(_started).TotalMilliseconds);
        }
    }
}
