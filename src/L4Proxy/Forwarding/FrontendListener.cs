using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// The accept loop of one frontend. It takes a frontend slot before each accept, so at the frontend limit it simply
/// stops accepting and excess connections wait in the kernel backlog (haproxy's behaviour, l4proxy.md §6), resuming
/// as soon as a session ends. The global limit is taken right after accept (see the comment there).
/// </summary>
internal sealed class FrontendListener
{
    private static readonly TimeSpan AcceptErrorBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ProxyContext _context;
    private readonly ProxyFrontend _frontend;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public FrontendListener(ProxyContext context, ProxyFrontend frontend)
    {
        _context = context;
        _frontend = frontend;
        var options = frontend.Options;
        _socket = ListenSocketFactory.Create(options.Bind!, options.Backlog ?? options.MaxConnections);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _loop = AcceptLoopAsync(_stop.Token);

    /// <summary>Closes the listening socket; established sessions are not touched.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        _frontend.Limiter.WakeAll();
        _context.GlobalLimiter.WakeAll();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await AcquireAsync(_frontend.Limiter, "frontend", cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                _frontend.Limiter.Release();
                return;
            }
            catch (SocketException ex)
            {
                _frontend.Limiter.Release();
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // EMFILE / ENFILE / ENOBUFS: back off instead of spinning; the connection stays in the backlog.
                L4ProxyLog.AcceptFailed(_context.Logger, _frontend.Name, ex.SocketErrorCode);
                try
                {
                    await Task.Delay(AcceptErrorBackoff, _context.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            // The global slot is taken after accept: a listener must not hold a shared slot while no connection is
            // pending, or an idle frontend would starve a busy one. So each frontend may hold one accepted but not
            // yet served connection while the global limit is reached; the rest wait in the kernel backlog.
            try
            {
                await AcquireAsync(_context.GlobalLimiter, "global", cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                _frontend.Limiter.Release();
                return;
            }

            client.NoDelay = true;
            _frontend.Counters.Opened();
            ThreadPool.UnsafeQueueUserWorkItem(new ProxyConnection(_context, _frontend, client), preferLocal: false);
        }
    }

    private async ValueTask AcquireAsync(ConnectionLimiter limiter, string which, CancellationToken cancellationToken)
    {
        var paused = false;
        while (!limiter.TryAcquire())
        {
            cancellationToken.ThrowIfCancellationRequested();
            Pause(ref paused, which);
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (paused)
        {
            L4ProxyLog.ListenerResumed(_context.Logger, _frontend.Name);
        }
    }

    private void Pause(ref bool paused, string which)
    {
        if (!paused)
        {
            paused = true;
            _frontend.Counters.LimitPaused();
            L4ProxyLog.ListenerPaused(_context.Logger, _frontend.Name, which);
        }
    }
}
