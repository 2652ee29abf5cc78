using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Server selection, non-blocking connect, retries and redispatch (docs/design/l4proxy.md §3).</summary>
internal sealed partial class ProxyConnection
{
    /// <summary>haproxy's turn-around: after an error, a retry on the same server waits min(1 s, connect timeout).</summary>
    private static readonly TimeSpan MaxTurnAround = TimeSpan.FromSeconds(1);

    private ClientKey _key;
    private int _attempt;
    private int _retries;
    private ulong _tried;
    private ProxyServer? _previous;
    private bool _previousTimedOut;
    private long _connectDeadline;
    private ITimer? _retryTimer;
    private int _retryDue;
    private long _descriptorDeadline;

    /// <summary>
    /// Picks the server of the next of 1 + <c>Retries</c> attempts. With redispatch every retry goes to the next
    /// untried server in the client's preference order (for consistent hashing: its HRW score order), so the connect
    /// succeeds whenever any server is up; once every server was tried the order starts over. Without redispatch
    /// retries stay on the same server unless it has been marked down meanwhile (haproxy's rule (a)).
    /// </summary>
    private void NextAttempt()
    {
        var options = _backend.Options;
        if (_attempt == 0)
        {
            _key = _peer.ToClientKey();
        }
        else if (_attempt > options.Retries)
        {
            Close(CloseReason.ConnectFailed);
            return;
        }

        var balancer = _backend.Balancer;
        var previous = _previous;
        ProxyServer? server;
        if (previous is not null && !options.Redispatch && previous.IsUsable)
        {
            server = previous;
        }
        else
        {
            server = balancer.Pick(_key, _tried);
            if (server is null && _tried != 0)
            {
                _tried = 0;
                server = balancer.Pick(_key, 0);
            }
        }

        if (server is null)
        {
            _backend.Counters.NoServerAvailable();
            Close(previous is null ? CloseReason.NoServer : CloseReason.ConnectFailed);
            return;
        }

        if (previous != server)
        {
            if (previous is not null)
            {
                previous.Counters.Unassigned();
                _backend.Counters.Unassigned();
            }

            server.Counters.Assigned();
            _backend.Counters.Assigned();
        }

        Server = server;
        if (previous is not null)
        {
            _retries++;
            server.Counters.Retried(server != previous);
            _backend.Counters.Retried(server != previous);
            if (server == previous && !_previousTimedOut)
            {
                var turnAround = options.ConnectTimeout < MaxTurnAround ? options.ConnectTimeout : MaxTurnAround;
                _retryTimer?.Dispose();
                _retryTimer = _context.Time.CreateTimer(static state => ((ProxyConnection)state!).OnTurnAroundElapsed(), this, turnAround, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        TryConnect(server);
    }

    /// <summary>Tries the server socket again after a descriptor shortage; any thread.</summary>
    public void RetryConnect() => OnTurnAroundElapsed();

    private void OnTurnAroundElapsed()
    {
        Volatile.Write(ref _retryDue, 1);
        _loop.Post(this);
    }

    /// <summary>One non-blocking connect; its timeout is enforced by the loop's sweep (<see cref="CheckConnectTimeout"/>).</summary>
    private void TryConnect(ProxyServer server)
    {
        var fd = NativeSocket.OpenStream(server.EndPoint.AddressFamily, out var openError);
        if (fd < 0)
        {
            if (openError == EMFILE || openError == ENFILE)
            {
                // The client's descriptor was the last one. Refusing it would not help: every further accept would
                // end the same way, each waiting client refused instead of kept in the backlog. So this session waits
                // for a descriptor (at most the connect timeout) while the listener stays paused.
                var now = _context.Time.GetTimestamp();
                if (_descriptorDeadline == 0)
                {
                    _descriptorDeadline = now + _context.Ticks(_backend.Options.ConnectTimeout);
                }

                if (now <= _descriptorDeadline)
                {
                    _frontend.Listener.PauseForDescriptors(_loop, openError, this);
                    return;
                }
            }

            Close(CloseReason.ResourceExhausted);
            return;
        }

        _descriptorDeadline = 0;
        _frontend.Listener.DescriptorOpened(fd);

        if (NativeSocket.SetNoDelay(fd) != 0 || (_backend.Options.SmartConnect && NativeSocket.DelayHandshakeAck(fd) != 0))
        {
            // A TCP socket we just created refusing a TCP option is a bug, not a server's fault.
            NativeSocket.Close(fd);
            Close(CloseReason.InternalError);
            return;
        }

        _upstreamFd = fd;
        _generation = EpollToken.NextGeneration(_generation);
        _connectDeadline = _context.Time.GetTimestamp() + _context.Ticks(_backend.Options.ConnectTimeout);
        var error = NativeSocket.Connect(fd, server.EndPoint);
        if (error != 0 && error != EINPROGRESS)
        {
            OnAttemptFailed(Classify(error));
            return;
        }

        // Registered after connect(): a socket not yet connecting polls as writable and hung up.
        if (_loop.Add(fd, new EpollToken(_slot, ServerSide, _generation), Interest) != 0)
        {
            Close(CloseReason.ResourceExhausted);
            return;
        }

        if (error == 0)
        {
            OnConnected(serverEvents: 0);
        }
    }

    /// <summary>
    /// Writable without error or hang-up means connected (no SO_ERROR call, as haproxy); otherwise SO_ERROR says why
    /// the attempt failed.
    /// </summary>
    private void OnConnectEvent(uint events)
    {
        if ((events & (EpollEvents.Error | EpollEvents.HangUp)) == 0)
        {
            if ((events & EpollEvents.Out) != 0)
            {
                OnConnected(events);
            }

            return;
        }

        var error = NativeSocket.PendingError(_upstreamFd);
        OnAttemptFailed(Classify(error == 0 ? ECONNRESET : error));
    }

    /// <summary>Every failure is reported as a passive failure, then the next attempt starts.</summary>
    private void OnAttemptFailed(ConnectFailure failure)
    {
        var server = Server!;
        _connectDeadline = 0;
        NativeSocket.Close(_upstreamFd);
        _upstreamFd = -1;
        server.Counters.ConnectFailed(failure);
        _backend.Counters.ConnectFailed(failure);
        _context.ConnectFailed?.Invoke(server, failure);
        if (_context.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            L4ProxyLog.ConnectAttemptFailed(_context.Logger, _frontend.Name, ClientEndPoint, server.ToString(), failure, _attempt);
        }
        _tried |= server.Bit;
        _previous = server;
        _previousTimedOut = failure == ConnectFailure.Timeout;
        _attempt++;
        NextAttempt();
    }

    private void CheckConnectTimeout(long now)
    {
        if (_descriptorDeadline != 0 && now > _descriptorDeadline && _upstreamFd < 0)
        {
            Close(CloseReason.ResourceExhausted);
            return;
        }

        if (_connectDeadline != 0 && now > _connectDeadline && _upstreamFd >= 0)
        {
            OnAttemptFailed(ConnectFailure.Timeout);
        }
    }

    private static ConnectFailure Classify(int error) =>
        error == ETIMEDOUT ? ConnectFailure.Timeout
        : error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH || error == ECONNRESET ? ConnectFailure.Refused
        : ConnectFailure.Other;
}
