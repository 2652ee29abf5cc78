namespace CloudCoreLb.L4Proxy.Counters;

/// <summary>
/// Lock-free counters of a server or, aggregated, a backend (haproxy <c>show stat</c> server/BACKEND rows).
/// Bytes in = from clients towards servers, out = back to clients, as haproxy counts them.
/// </summary>
public sealed class ServerCounters
{
    private long _active;
    private long _total;
    private long _bytesIn;
    private long _bytesOut;
    private long _connectRefused;
    private long _connectTimeout;
    private long _connectOther;
    private long _retries;
    private long _redispatches;
    private long _noServer;
    private long _up;
    private long _down;
    private long _checkFailures;

    /// <summary>Sessions open now, including those still connecting (scur).</summary>
    public long Active => Volatile.Read(ref _active);

    /// <summary>Sessions established since start (stot / lbtot).</summary>
    public long Total => Volatile.Read(ref _total);

    /// <summary>Bytes from clients.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes to clients.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Connect attempts refused (RST, unreachable).</summary>
    public long ConnectRefused => Volatile.Read(ref _connectRefused);

    /// <summary>Connect attempts that timed out.</summary>
    public long ConnectTimeouts => Volatile.Read(ref _connectTimeout);

    /// <summary>Connect attempts that failed otherwise (no route, out of ports...).</summary>
    public long ConnectOtherErrors => Volatile.Read(ref _connectOther);

    /// <summary>All failed connect attempts (econ).</summary>
    public long ConnectErrors => ConnectRefused + ConnectTimeouts + ConnectOtherErrors;

    /// <summary>Retried connect attempts (wretr).</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Retries sent to a different server (wredis).</summary>
    public long Redispatches => Volatile.Read(ref _redispatches);

    /// <summary>Sessions closed because no server was usable (backends only).</summary>
    public long NoServer => Volatile.Read(ref _noServer);

    /// <summary>Down-to-up transitions.</summary>
    public long UpTransitions => Volatile.Read(ref _up);

    /// <summary>Up-to-down transitions (chkdown).</summary>
    public long DownTransitions => Volatile.Read(ref _down);

    /// <summary>Failed active checks (chkfail).</summary>
    public long CheckFailures => Volatile.Read(ref _checkFailures);

    internal void Assigned() => Interlocked.Increment(ref _active);

    internal void Unassigned() => Interlocked.Decrement(ref _active);

    internal void Established() => Interlocked.Increment(ref _total);

    internal void AddIn(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    internal void AddOut(long bytes) => Interlocked.Add(ref _bytesOut, bytes);

    internal void ConnectFailed(ConnectFailure failure)
    {
        switch (failure)
        {
            case ConnectFailure.Refused:
                Interlocked.Increment(ref _connectRefused);
                break;
            case ConnectFailure.Timeout:
                Interlocked.Increment(ref _connectTimeout);
                break;
            default:
                Interlocked.Increment(ref _connectOther);
                break;
        }
    }

    internal void Retried(bool redispatched)
    {
        Interlocked.Increment(ref _retries);
        if (redispatched)
        {
            Interlocked.Increment(ref _redispatches);
        }
    }

    internal void NoServerAvailable() => Interlocked.Increment(ref _noServer);

    internal void StateChanged(bool up) => Interlocked.Increment(ref up ? ref _up : ref _down);

    internal void CheckFailed() => Interlocked.Increment(ref _checkFailures);
}
