namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>
/// The proxy's event-loop threads, one per CPU by default (haproxy's <c>nbthread</c>). Each listener is registered in
/// every loop with <c>EPOLLEXCLUSIVE</c>, so the kernel wakes one loop per incoming connection and that loop owns the
/// session until it closes.
/// </summary>
internal sealed class EpollLoopGroup : IDisposable
{
    private readonly EpollLoop[] _loops;

    public EpollLoopGroup(int threads, bool splice, TimeProvider time, Action<Exception> onLoopFault)
    {
        _loops = new EpollLoop[threads];
        try
        {
            for (var i = 0; i < threads; i++)
            {
                _loops[i] = new EpollLoop(i, splice, time, onLoopFault);
            }
        }
        catch
        {
            foreach (var loop in _loops)
            {
                loop?.Dispose();
            }

            throw;
        }

        foreach (var loop in _loops)
        {
            loop.Start();
        }
    }

    public IReadOnlyList<EpollLoop> Loops => _loops;

    /// <summary>The default thread count: one per CPU this process may run on.</summary>
    public static int DefaultThreads => Math.Clamp(Environment.ProcessorCount, 1, 64);

    public TimeSpan SweepPeriod
    {
        set
        {
            foreach (var loop in _loops)
            {
                loop.SweepPeriod = value;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> on every handler of every loop, each on its own loop's thread.</summary>
    public Task ForEachAsync(Action<IEpollHandler> action)
    {
        var tasks = new Task[_loops.Length];
        for (var i = 0; i < _loops.Length; i++)
        {
            tasks[i] = _loops[i].ForEachAsync(action);
        }

        return Task.WhenAll(tasks);
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }
    }
}
