using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// The listening socket of one frontend, registered in every event loop with <c>EPOLLEXCLUSIVE</c> (through one
/// <see cref="AcceptHandler"/> per loop, which knows its loop) so one loop wakes per connection and serves it from
/// accept to close. A frontend slot is taken before each accept: at the frontend
/// limit the listener leaves every epoll set and excess connections wait in the kernel backlog (haproxy's
/// behaviour, docs/design/l4proxy.md §6) until a session ends. The global limit is taken right after accept (see
/// <see cref="AcceptBatch"/>). Running out of descriptors pauses it the same way (<see cref="PauseForDescriptors"/>):
/// a level-triggered listener left in epoll would wake every loop at once again, each accept failing with EMFILE.
/// </summary>
internal sealed class FrontendListener
{
    private const uint Interest = EpollEvents.In | EpollEvents.Exclusive; // level-triggered
    private const int MaxAcceptsPerWakeup = 64;
    private static readonly TimeSpan AcceptErrorBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ProxyContext _context;
    private readonly ProxyFrontend _frontend;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly IReadOnlyList<EpollLoop> _loops;
    private readonly AcceptHandler[] _handlers;
    private readonly int[] _slots;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _paused;
    private bool _held;
    private bool _stopped;
    private Task _resume = Task.CompletedTask;
    private long _exhaustedSince;
    private int _exhaustedRetries;
    private List<ProxyConnection>? _descriptorWaiters;

    /// <param name="context">The runtime's shared loops, counters and logger.</param>
    /// <param name="frontend">The frontend this listener accepts for.</param>
    /// <param name="inheritedFd">A listening socket handed over by the previous process, or -1 to bind one.</param>
    public FrontendListener(ProxyContext context, ProxyFrontend frontend, int inheritedFd = -1)
    {
        _context = context;
        _frontend = frontend;
        var options = frontend.Options;
        _socket = inheritedFd >= 0
            ? ListenSocketFactory.Adopt(inheritedFd, options.Bind!)
            : ListenSocketFactory.Create(options.Bind!, options.Backlog ?? options.MaxConnections);
        // accept4 runs until EAGAIN on the loops: a blocking listener would hang a loop on its last accept.
        _socket.Blocking = false;
        _fd = (int)_socket.Handle;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loops = context.Loops.Loops;
        _handlers = [.. _loops.Select(loop => new AcceptHandler(this, loop))];
        _slots = new int[_loops.Count];
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The listening descriptor, for a hand-over.</summary>
    public int Fd => _fd;

    /// <summary>Stops accepting without closing: connections wait in the backlog for <see cref="Unhold"/> or the next process.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            if (!_held && !_paused && !_stopped)
            {
                RemoveFromLoops();
            }

            _held = true;
        }
    }

    /// <summary>Accepts again after <see cref="Hold"/>.</summary>
    public void Unhold()
    {
        lock (_lock)
        {
            if (_held && !_paused && !_stopped)
            {
                AddToLoops();
            }

            _held = false;
        }
    }

    public void Start()
    {
        lock (_lock)
        {
            for (var i = 0; i < _loops.Count; i++)
            {
                _slots[i] = _loops[i].Register(_handlers[i]);
            }

            AddToLoops();
        }
    }

    /// <summary>Closes the listening socket; established sessions are not touched.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task resume;
        lock (_lock)
        {
            _stopped = true;
            if (!_paused && !_held)
            {
                RemoveFromLoops();
            }

            resume = _resume;
        }

        await resume.ConfigureAwait(false);
        for (var i = 0; i < _loops.Count; i++)
        {
            if (_slots[i] >= 0)
            {
                _loops[i].Unregister(_slots[i]);
                _slots[i] = -1;
            }
        }

        // A loop still inside accept4 holds a reference on the handle, so the descriptor is closed after it.
        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Accepts what is pending, a bounded number per wakeup so one busy frontend cannot starve the loop's sessions.
    /// The global slot is taken after accept: a listener must not hold a shared slot while no connection is pending,
    /// or an idle frontend would starve a busy one. So each frontend may hold one accepted but not yet served
    /// connection while the global limit is reached; the rest wait in the kernel backlog.
    /// </summary>
    private void AcceptBatch(EpollLoop loop)
    {
        // Once per wakeup, not per accept: a getrlimit call, so a limit changed at run time is seen at the next one.
        var ceiling = DescriptorBudget.Ceiling();
        for (var i = 0; i < MaxAcceptsPerWakeup; i++)
        {
            if (Volatile.Read(ref _paused) || Volatile.Read(ref _held))
            {
                return;
            }

            if (!_frontend.Limiter.TryAcquire())
            {
                Pause(PauseKind.Frontend, parkedFd: -1, default, loop);
                return;
            }

            var fd = Accept(out var peer, out var error);
            if (fd < 0)
            {
                _frontend.Limiter.Release();
                if (error == EAGAIN)
                {
                    return;
                }

                if (error == EINTR || error == ECONNABORTED)
                {
                    continue;
                }

                if (error == EMFILE || error == ENFILE)
                {
                    PauseForDescriptors(loop, error);
                    return;
                }

                // ENOBUFS / ENOMEM: back off instead of spinning; the connection stays in the backlog.
                L4ProxyLog.AcceptFailed(_context.Logger, _frontend.Name, (SocketError)error);
                Pause(PauseKind.Error, parkedFd: -1, default, loop);
                return;
            }

            if (!_context.GlobalLimiter.TryAcquire())
            {
                Pause(PauseKind.Global, fd, peer, loop);
                return;
            }

            Serve(loop, fd, peer);
            if (fd >= ceiling)
            {
                // Every descriptor below this one is taken: the reserve above it is the runtime's, not the clients'.
                PauseForDescriptors(loop, error: 0);
                return;
            }
        }
    }

    /// <summary>
    /// Stops accepting because the process has no descriptor left (EMFILE, or ENFILE for the whole system): from an
    /// accept here, or from a session that was accepted but could not open its server socket (<paramref name="waiting"/>,
    /// which waits for one instead of refusing its client). Counted and logged once per shortage, not per retry.
    /// Retried when a session ends or after a short back-off, whichever comes first (descriptors are also freed by
    /// checks and pipes that nothing signals): first the waiting sessions, and accept only once none is left waiting,
    /// or every freed descriptor would go to a new client that then waits too.
    /// </summary>
    public void PauseForDescriptors(EpollLoop loop, int error, ProxyConnection? waiting = null)
    {
        if (waiting is not null)
        {
            lock (_lock)
            {
                (_descriptorWaiters ??= []).Add(waiting);
            }
        }

        if (Interlocked.CompareExchange(ref _exhaustedSince, _context.Time.GetTimestamp(), 0) == 0)
        {
            Volatile.Write(ref _exhaustedRetries, 0);
            _frontend.Counters.DescriptorsExhausted();
            L4ProxyLog.DescriptorsExhausted(_context.Logger, _frontend.Name,
                error == ENFILE ? "ENFILE" : error == EMFILE ? "EMFILE" : $"{DescriptorBudget.Reserve} left below the limit", _context.ActiveSessions);
        }
        else
        {
            Interlocked.Increment(ref _exhaustedRetries);
        }

        Pause(PauseKind.Descriptors, parkedFd: -1, default, loop);
    }

    /// <summary>A session opened its server socket <paramref name="fd"/>: below the ceiling, a shortage, if one was on, is over. Any loop thread.</summary>
    public void DescriptorOpened(int fd)
    {
        if (Volatile.Read(ref _exhaustedSince) != 0 && fd < DescriptorBudget.Ceiling())
        {
            EndDescriptorShortage();
        }
    }

    private void EndDescriptorShortage()
    {
        var since = Interlocked.Exchange(ref _exhaustedSince, 0);
        if (since != 0)
        {
            L4ProxyLog.DescriptorsAvailable(_context.Logger, _frontend.Name, _context.Time.GetElapsedTime(since).TotalMilliseconds,
                Volatile.Read(ref _exhaustedRetries));
        }
    }

    private int Accept(out PeerAddress peer, out int error)
    {
        var added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            return NativeSocket.Accept(_fd, out peer, out error);
        }
        catch (ObjectDisposedException)
        {
            peer = default;
            error = EBADF;
            return -1;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private void Serve(EpollLoop loop, int fd, PeerAddress peer)
    {
        _frontend.Counters.Opened();
        new ProxyConnection(_context, _frontend, loop, fd, peer).Start();
    }

    /// <summary>Leaves every epoll set until the limit that stopped accepting has room again.</summary>
    private void Pause(PauseKind kind, int parkedFd, PeerAddress peer, EpollLoop loop)
    {
        lock (_lock)
        {
            if (_paused || _stopped)
            {
                if (parkedFd >= 0)
                {
                    // Only one connection is parked per pause; a concurrent loop's extra one is refused.
                    NativeSocket.Close(parkedFd);
                    _frontend.Limiter.Release();
                }

                return;
            }

            _paused = true;
            if (!_held)
            {
                RemoveFromLoops();
            }

            if (kind != PauseKind.Descriptors)
            {
                // A descriptor shortage is counted and logged once by PauseForDescriptors, not at every retry.
                _frontend.Counters.LimitPaused();
                L4ProxyLog.ListenerPaused(_context.Logger, _frontend.Name, kind switch
                {
                    PauseKind.Frontend => "frontend",
                    PauseKind.Global => "global",
                    _ => "accept error",
                });
            }

            _resume = ResumeAsync(kind, parkedFd, peer, loop, _stop.Token);
        }
    }

    private async Task ResumeAsync(PauseKind kind, int parkedFd, PeerAddress peer, EpollLoop loop, CancellationToken cancellationToken)
    {
        try
        {
            switch (kind)
            {
                case PauseKind.Frontend:
                    await WaitForRoomAsync(_frontend.Limiter, cancellationToken).ConfigureAwait(false);
                    break;
                case PauseKind.Global:
                    while (!_context.GlobalLimiter.TryAcquire())
                    {
                        await _context.GlobalLimiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    loop.Post(new ServeParked(this, loop, parkedFd, peer));
                    parkedFd = -1;
                    break;
                case PauseKind.Descriptors:
                    await WaitForDescriptorsAsync(cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await Task.Delay(AcceptErrorBackoff, _context.Time, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            if (parkedFd >= 0)
            {
                NativeSocket.Close(parkedFd);
                _frontend.Limiter.Release();
            }

            return;
        }

        lock (_lock)
        {
            _paused = false;
            if (!_stopped && !_held)
            {
                AddToLoops();
                if (kind != PauseKind.Descriptors)
                {
                    // The end of a shortage is logged by the first accept that succeeds, not by every retry.
                    L4ProxyLog.ListenerResumed(_context.Logger, _frontend.Name);
                }
            }
        }
    }

    private async Task WaitForDescriptorsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Registered before the delay starts: a session ending at any moment from here on wakes the retry.
            var freed = _context.NextSessionEndAsync();
            await Task.WhenAny(freed, Task.Delay(AcceptErrorBackoff, _context.Time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            List<ProxyConnection>? waiters;
            lock (_lock)
            {
                waiters = _descriptorWaiters;
                _descriptorWaiters = null;
            }

            if (waiters is null)
            {
                if (DescriptorBudget.HasRoom(_fd, DescriptorBudget.Ceiling()))
                {
                    return;
                }

                continue;
            }

            // One that fails again waits again (PauseForDescriptors adds it back while the listener stays paused).
            foreach (var waiter in waiters)
            {
                waiter.RetryConnect();
            }
        }
    }

    private static async Task WaitForRoomAsync(ConnectionLimiter limiter, CancellationToken cancellationToken)
    {
        while (limiter.Count >= limiter.Max)
        {
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void AddToLoops()
    {
        for (var i = 0; i < _loops.Count; i++)
        {
            var error = _loops[i].Add(_fd, new EpollToken(_slots[i], 0, 0), Interest);
            if (error != 0)
            {
                // Only a bug or a closed descriptor gets here; the other loops still accept.
                L4ProxyLog.ListenerRegistrationFailed(_context.Logger, _frontend.Name, (SocketError)error);
            }
        }
    }

    private void RemoveFromLoops()
    {
        foreach (var loop in _loops)
        {
            // ENOENT: the descriptor was never added to that loop (a failed registration above); nothing to undo.
            var error = loop.Remove(_fd);
            if (error != 0 && error != ENOENT)
            {
                L4ProxyLog.ListenerRegistrationFailed(_context.Logger, _frontend.Name, (SocketError)error);
            }
        }
    }

    private enum PauseKind
    {
        Frontend,
        Global,
        Descriptors,
        Error,
    }

    /// <summary>The listener's registration in one loop: accepts on that loop's thread, for that loop.</summary>
    private sealed class AcceptHandler(FrontendListener listener, EpollLoop loop) : IEpollHandler
    {
        public void OnEvents(EpollToken token, uint events) => listener.AcceptBatch(loop);

        public void OnTick(long now)
        {
        }

        public void OnFault(Exception exception) => L4ProxyLog.SessionFailed(listener._context.Logger, listener._frontend.Name, null, exception);
    }

    /// <summary>The connection accepted while the global limit was reached, served once a slot was taken for it.</summary>
    private sealed class ServeParked(FrontendListener listener, EpollLoop loop, int fd, PeerAddress peer) : IEpollWork
    {
        public void Execute() => listener.Serve(loop, fd, peer);
    }
}
