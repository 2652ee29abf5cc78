namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// One periodic timer for every session's inactivity timeouts: an idle session costs two timestamps, not a timer.
/// The period is an eighth of the shortest configured timeout, clamped to 5 ms-1 s, so a timeout fires at most
/// 1/8 late.
/// </summary>
internal sealed class TimeoutSweeper : IDisposable
{
    private readonly ConnectionTable _connections;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public TimeoutSweeper(ConnectionTable connections, TimeProvider time, TimeSpan shortestTimeout)
    {
        _connections = connections;
        _time = time;
        Period = TimeSpan.FromTicks(Math.Clamp(shortestTimeout.Ticks / 8, TimeSpan.FromMilliseconds(5).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer = time.CreateTimer(static state => ((TimeoutSweeper)state!).Sweep(), this, Period, Period);
    }

    public TimeSpan Period { get; private set; }

    public void Sweep() => _connections.ForEach(static (connection, now) => connection.CheckTimeouts(now), _time.GetTimestamp());

    /// <summary>Adjusts the period after a reload.</summary>
    public void Reschedule(TimeSpan shortestTimeout)
    {
        Period = TimeSpan.FromTicks(Math.Clamp(shortestTimeout.Ticks / 8, TimeSpan.FromMilliseconds(5).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer.Change(Period, Period);
    }

    public void Dispose() => _timer.Dispose();
}
