using System.Net.Sockets;
using System.Runtime.CompilerServices;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Counters;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Server selection, connect, retries and redispatch (l4proxy.md §3).</summary>
internal sealed partial class ProxyConnection
{
    /// <summary>haproxy's turn-around: after an error, a retry on the same server waits min(1 s, connect timeout).</summary>
    private static readonly TimeSpan MaxTurnAround = TimeSpan.FromSeconds(1);

    private long _connectDeadline;
    private Socket? _timedOutSocket;

    /// <summary>
    /// Tries 1 + <c>Retries</c> connects. With redispatch every retry goes to the next untried server in the client's
    /// preference order (for consistent hashing: its HRW score order), so the connect succeeds whenever any server
    /// is up; once every server was tried the order starts over. Without redispatch retries stay on the same server
    /// unless it has been marked down meanwhile (haproxy's rule (a)). Every failure is reported as a passive failure.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ConnectAsync(ClientKey key)
    {
        var options = _backend.Options;
        var balancer = _backend.Balancer;
        ulong tried = 0;
        ProxyServer? previous = null;
        var previousTimedOut = false;
        for (var attempt = 0; attempt <= options.Retries; attempt++)
        {
            ProxyServer? server;
            if (previous is not null && !options.Redispatch && previous.IsUsable)
            {
                server = previous;
            }
            else
            {
                server = balancer.Pick(key, tried);
                if (server is null && tried != 0)
                {
                    tried = 0;
                    server = balancer.Pick(key, 0);
                }
            }

            if (server is null)
            {
                _backend.Counters.NoServerAvailable();
                TrySetReason(previous is null ? CloseReason.NoServer : CloseReason.ConnectFailed);
                return false;
            }

            if (previous is not null)
            {
                _retries++;
                server.Counters.Retried(server != previous);
                _backend.Counters.Retried(server != previous);
                if (server == previous && !previousTimedOut)
                {
                    var turnAround = options.ConnectTimeout < MaxTurnAround ? options.ConnectTimeout : MaxTurnAround;
                    await Task.Delay(turnAround, _context.Time).ConfigureAwait(false);
                }
            }

            if (previous != server)
            {
                previous?.Counters.Unassigned();
                if (previous is not null)
                {
                    _backend.Counters.Unassigned();
                }

                server.Counters.Assigned();
                _backend.Counters.Assigned();
            }

            Server = server;
            var failure = await TryConnectAsync(server, options.ConnectTimeout).ConfigureAwait(false);
            if (failure is null)
            {
                server.Counters.Established();
                _backend.Counters.Established();
                return true;
            }

            if (Reason != CloseReason.None)
            {
                // Aborted (stop) while connecting.
                return false;
            }

            server.Counters.ConnectFailed(failure.Value);
            _backend.Counters.ConnectFailed(failure.Value);
            _context.ConnectFailed?.Invoke(server, failure.Value);
            L4ProxyLog.ConnectAttemptFailed(_context.Logger, _frontend.Name, ClientEndPoint, server.ToString(), failure.Value, attempt);
            tried |= server.Bit;
            previous = server;
            previousTimedOut = failure == ConnectFailure.Timeout;
        }

        TrySetReason(CloseReason.ConnectFailed);
        return false;
    }

    /// <summary>
    /// One connect attempt. The connect timeout is enforced by the <see cref="TimeoutSweeper"/> (see
    /// <see cref="CheckConnectTimeout"/>) instead of a CancellationTokenSource and timer per attempt.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ConnectFailure?> TryConnectAsync(ProxyServer server, TimeSpan timeout)
    {
        var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Deadline before socket: the sweeper reads them in the other order, so it never pairs this socket with an
        // older attempt's expired deadline.
        Volatile.Write(ref _connectDeadline, _context.Time.GetTimestamp() + _context.Ticks(timeout));
        Volatile.Write(ref _upstream, socket);
        if (Reason != CloseReason.None)
        {
            // Aborted between attempts: the abort may have missed this socket.
            socket.Dispose();
            return ConnectFailure.Other;
        }

        SocketError error;
        var args = _context.ConnectArgs.Rent();
        try
        {
            error = await args.ConnectAsync(socket, server.EndPoint).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            error = ex.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            return TimedOut(socket) ? ConnectFailure.Timeout : ConnectFailure.Other;
        }
        finally
        {
            Volatile.Write(ref _connectDeadline, 0);
            _context.ConnectArgs.Return(args);
        }

        if (error == SocketError.Success)
        {
            return TimedOut(socket) ? ConnectFailure.Timeout : null;
        }

        socket.Dispose();
        return TimedOut(socket) ? ConnectFailure.Timeout
            : error is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.ConnectionReset
                ? ConnectFailure.Refused
                : ConnectFailure.Other;
    }

    private bool TimedOut(Socket socket)
    {
        if (Volatile.Read(ref _timedOutSocket) != socket)
        {
            return false;
        }

        socket.Dispose();
        return true;
    }

    /// <summary>Called by the sweeper while not established: closing the socket ends a connect past its deadline.</summary>
    private void CheckConnectTimeout(long now)
    {
        var socket = Volatile.Read(ref _upstream);
        var deadline = Volatile.Read(ref _connectDeadline);
        if (socket is not null && deadline != 0 && now > deadline && Reason == CloseReason.None)
        {
            Volatile.Write(ref _timedOutSocket, socket);
            socket.Dispose();
        }
    }
}
