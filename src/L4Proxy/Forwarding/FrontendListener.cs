using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// The accept loop of one frontend. It takes a global and a frontend slot before each accept, so when either limit
/// is reached it simply stops accepting and excess connections wait in the kernel backlog (haproxy's behaviour,
/// l4proxy.md §6), resuming as soon as a session ends.
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
                if (!await AcquireSlotsAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
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
                ReleaseSlots();
                return;
            }
            catch (SocketException ex)
            {
                ReleaseSlots();
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

            client.NoDelay = true;
            _frontend.Counters.Opened();
            ThreadPool.UnsafeQueueUserWorkItem(new ProxyConnection(_context, _frontend, client), preferLocal: false);
        }
    }

    private async ValueTask<bool> AcquireSlotsAsync(CancellationToken cancellationToken)
    {
        var paused = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_context.GlobalLimiter.TryAcquire())
            {
                if (_frontend.Limiter.TryAcquire())
                {
                    if (paused)
                    {
                        L4ProxyLog.ListenerResumed(_context.Logger, _frontend.Name);
                    }

                    return true;
                }

                _context.GlobalLimiter.Release();
                Pause(ref paused, "frontend");
                await _frontend.Limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Pause(ref paused, "global");
                await _context.GlobalLimiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
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

    private void ReleaseSlots()
    {
        _frontend.Limiter.Release();
        _context.GlobalLimiter.Release();
    }
}
