using System.Collections.Concurrent;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>
/// One event-loop thread with its own epoll instance (haproxy's model: a thread owns its sessions from accept to
/// close). Sessions are never touched by another thread, so the data path takes no lock and hands nothing to the
/// thread pool; other threads talk to the loop only through <see cref="Post"/>. Handlers live in a slot table that
/// the <c>epoll_data</c> of each registration points into; a freed slot is reused only after the current batch of
/// events, so an event still queued for a closed descriptor never reaches a new handler.
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeValue = ulong.MaxValue;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<IEpollWork> _posted = new();
    private readonly List<IEpollWork> _deferred = [];
    private readonly Lock _slotsLock = new();
    private readonly Action<Exception> _onLoopFault;
    private IEpollHandler?[] _handlers = new IEpollHandler?[256];
    private int[] _free = new int[256];
    private int _freeCount;
    private int _used;
    private int[] _retired = new int[64];
    private int _retiredCount;
    private int _wakePending;
    private long _sweepPeriodMs = 1000;
    private volatile bool _stopping;

    public EpollLoop(int id, bool splice, TimeProvider time, Action<Exception> onLoopFault)
    {
        Time = time;
        _onLoopFault = onLoopFault;
        _epoll = epoll_create1(EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {errno}.");
        }

        _wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_wake < 0)
        {
            var error = errno;
            close(_epoll);
            throw new InvalidOperationException($"eventfd failed: errno {error}.");
        }

        var ev = new epoll_event { events = EPOLLIN };
        ev.data.u64 = WakeValue;
        if (epoll_ctl(_epoll, EPOLL_CTL_ADD, _wake, &ev) != 0)
        {
            var error = errno;
            close(_wake);
            close(_epoll);
            throw new InvalidOperationException($"epoll_ctl(ADD eventfd) failed: errno {error}.");
        }

        Pipes = splice ? new SplicePipePool(maxPooled: 64) : null;
        _thread = new Thread(Run) { IsBackground = true, Name = $"cclb-loop-{id}" };
    }

    public TimeProvider Time { get; }

    /// <summary>Pipes for splice(2), or null when splicing is off. Only this loop's thread uses them.</summary>
    public SplicePipePool? Pipes { get; }

    /// <summary>The user-space copy buffer, shared by every session of this loop (one runs at a time).</summary>
    public byte[] CopyBuffer { get; } = new byte[64 * 1024];

    /// <summary>How often <see cref="IEpollHandler.OnTick"/> runs.</summary>
    public TimeSpan SweepPeriod
    {
        get => TimeSpan.FromMilliseconds(Volatile.Read(ref _sweepPeriodMs));
        set => Volatile.Write(ref _sweepPeriodMs, Math.Max(1, (long)value.TotalMilliseconds));
    }

    /// <summary>Whether the caller runs on this loop's thread.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    public void Start() => _thread.UnsafeStart();

    /// <summary>Gives <paramref name="handler"/> a slot; any thread.</summary>
    public int Register(IEpollHandler handler)
    {
        lock (_slotsLock)
        {
            int slot;
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else
            {
                if (_used == _handlers.Length)
                {
                    var grown = new IEpollHandler?[_handlers.Length * 2];
                    Array.Copy(_handlers, grown, _handlers.Length);
                    Array.Resize(ref _free, grown.Length);
                    Volatile.Write(ref _handlers, grown);
                }

                slot = _used++;
            }

            Volatile.Write(ref _handlers[slot], handler);
            return slot;
        }
    }

    /// <summary>Frees a slot once the batch of events being dispatched is over; any thread.</summary>
    public void Unregister(int slot)
    {
        lock (_slotsLock)
        {
            Volatile.Write(ref _handlers[slot], null);
            if (_retiredCount == _retired.Length)
            {
                Array.Resize(ref _retired, _retired.Length * 2);
            }

            _retired[_retiredCount++] = slot;
        }
    }

    /// <summary>Adds a descriptor to this loop's epoll set. Returns 0 or the errno.</summary>
    public int Add(int fd, EpollToken token, uint events)
    {
        var ev = new epoll_event { events = (int)events };
        ev.data.u64 = token.Value;
        return epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
    }

    /// <summary>Removes a descriptor (closing it does that too); any thread. Returns 0 or the errno.</summary>
    public int Remove(int fd) => epoll_ctl(_epoll, EPOLL_CTL_DEL, fd, null) == 0 ? 0 : errno;

    /// <summary>Runs <paramref name="work"/> on the loop's thread soon; any thread.</summary>
    public void Post(IEpollWork work)
    {
        _posted.Enqueue(work);
        Wake();
    }

    /// <summary>
    /// Runs <paramref name="work"/> once the events of the current batch are dispatched, before the loop waits again;
    /// loop thread only. Lets a session act on what the rest of the batch brings (see <c>ProxyConnection</c>'s
    /// half-close).
    /// </summary>
    public void Defer(IEpollWork work) => _deferred.Add(work);

    /// <summary>Calls <paramref name="action"/> for every handler of this loop, on the loop's thread.</summary>
    public Task ForEachAsync(Action<IEpollHandler> action)
    {
        if (_stopping)
        {
            return Task.CompletedTask;
        }

        var work = new ForEachWork(this, action);
        Post(work);
        return work.Completion.Task;
    }

    /// <summary>Stops the thread and closes the epoll instance; handlers still registered are told nothing.</summary>
    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (_thread.IsAlive && !IsCurrentThread)
        {
            _thread.Join();
        }

        close(_wake);
        close(_epoll);
        Pipes?.Dispose();
        while (_posted.TryDequeue(out var work))
        {
            (work as ForEachWork)?.Completion.TrySetCanceled();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;

            // Cannot fail short of a closed descriptor (disposal): one pending wake-up never overflows the counter.
            _ = write(_wake, &one, sizeof(ulong));
        }
    }

    private void Run()
    {
        var events = stackalloc epoll_event[MaxEvents];
        // One clock read per wake-up: the one taken after the batch also sets the next wait's timeout.
        var now = Time.GetTimestamp();
        var nextSweep = now;
        while (!_stopping)
        {
            var untilSweep = nextSweep - now;
            var timeout = untilSweep <= 0 ? 0 : (int)Math.Min(int.MaxValue, (untilSweep * 1000 / Time.TimestampFrequency) + 1);
            var count = epoll_wait(_epoll, events, MaxEvents, timeout);
            if (count < 0)
            {
                var error = errno;
                if (error != EINTR)
                {
                    // EBADF, EFAULT, EINVAL: the epoll instance itself is unusable, and waiting again would fail the
                    // same way at once; spinning on it helps no session. Say so loudly and end this loop's thread.
                    _onLoopFault(new InvalidOperationException($"epoll_wait failed on {_thread.Name}: errno {error}; the loop stops."));
                    return;
                }

                now = Time.GetTimestamp();
                continue;
            }

            var handlers = Volatile.Read(ref _handlers);
            for (var i = 0; i < count; i++)
            {
                var data = events[i].data.u64;
                if (data == WakeValue)
                {
                    ulong value;

                    // Non-blocking and readable, so it returns the counter; EAGAIN would only mean nothing to drain.
                    _ = read(_wake, &value, sizeof(ulong));
                    Volatile.Write(ref _wakePending, 0);
                    RunPosted();
                    handlers = Volatile.Read(ref _handlers);
                    continue;
                }

                var token = EpollToken.From(data);
                if ((uint)token.Slot < (uint)handlers.Length && Volatile.Read(ref handlers[token.Slot]) is { } handler)
                {
                    Dispatch(handler, token, (uint)events[i].events);
                }
            }

            RunDeferred();
            now = Time.GetTimestamp();
            if (now >= nextSweep)
            {
                Sweep(now);
                nextSweep = now + (Volatile.Read(ref _sweepPeriodMs) * Time.TimestampFrequency / 1000);
            }

            ReleaseRetired();
        }
    }

    private static void Dispatch(IEpollHandler handler, EpollToken token, uint events)
    {
        try
        {
            handler.OnEvents(token, events);
        }
        catch (Exception ex)
        {
            handler.OnFault(ex);
        }
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var work))
        {
            try
            {
                work.Execute();
            }
            catch (Exception ex)
            {
                _onLoopFault(ex);
            }
        }
    }

    private void RunDeferred()
    {
        // Index loop: deferred work may defer more (it runs in this same pass).
        for (var i = 0; i < _deferred.Count; i++)
        {
            try
            {
                _deferred[i].Execute();
            }
            catch (Exception ex)
            {
                _onLoopFault(ex);
            }
        }

        _deferred.Clear();
    }

    private void Sweep(long now) => ForEachHandler(now, static (handler, now) =>
    {
        try
        {
            handler.OnTick(now);
        }
        catch (Exception ex)
        {
            handler.OnFault(ex);
        }
    });

    /// <summary>Every live handler of the slot table; loop thread only.</summary>
    private void ForEachHandler<TState>(TState state, Action<IEpollHandler, TState> visit)
    {
        var handlers = Volatile.Read(ref _handlers);
        var used = Math.Min(Volatile.Read(ref _used), handlers.Length);
        for (var i = 0; i < used; i++)
        {
            if (Volatile.Read(ref handlers[i]) is { } handler)
            {
                visit(handler, state);
            }
        }
    }

    private void ReleaseRetired()
    {
        if (Volatile.Read(ref _retiredCount) == 0)
        {
            return;
        }

        lock (_slotsLock)
        {
            for (var i = 0; i < _retiredCount; i++)
            {
                _free[_freeCount++] = _retired[i];
            }

            _retiredCount = 0;
        }
    }

    private sealed class ForEachWork(EpollLoop loop, Action<IEpollHandler> action) : IEpollWork
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute()
        {
            try
            {
                loop.ForEachHandler(action, static (handler, visit) => visit(handler));
                Completion.TrySetResult();
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
            }
        }
    }
}
