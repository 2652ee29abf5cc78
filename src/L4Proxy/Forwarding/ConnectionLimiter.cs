namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// A connection count with a ceiling (haproxy global and frontend <c>maxconn</c>). A listener that cannot acquire a
/// slot stops calling accept, so excess connections wait in the kernel backlog, and resumes when a slot frees up.
/// Lock-free; a waiter object is allocated only while the limit is reached.
/// </summary>
internal sealed class ConnectionLimiter
{
    private int _count;
    private TaskCompletionSource? _waiter;

    public ConnectionLimiter(int max) => Max = max;

    /// <summary>The ceiling; may be changed by a reload.</summary>
    public int Max { get; set; }

    public int Count => Volatile.Read(ref _count);

    public bool TryAcquire()
    {
        while (true)
        {
            var count = Volatile.Read(ref _count);
            if (count >= Max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _count, count + 1, count) == count)
            {
                return true;
            }
        }
    }

    /// <summary>Takes a slot even past the ceiling: for sessions the previous process had already admitted.</summary>
    public void Acquire() => Interlocked.Increment(ref _count);

    public void Release()
    {
        Interlocked.Decrement(ref _count);
        if (Volatile.Read(ref _waiter) is not null)
        {
            Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
        }
    }

    /// <summary>Completes when a slot may be free (callers retry <see cref="TryAcquire"/>).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var waiter = Volatile.Read(ref _waiter);
        if (waiter is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _waiter, created, null) ?? created;
        }

        // Re-check after publishing the waiter: a release in between would otherwise be missed.
        if (Volatile.Read(ref _count) < Max)
        {
            Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
            return Task.CompletedTask;
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Wakes every waiter (stop, or a raised limit).</summary>
    public void WakeAll() => Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
}
