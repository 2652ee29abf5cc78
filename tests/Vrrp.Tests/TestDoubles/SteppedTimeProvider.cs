using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.Vrrp.Tests.TestDoubles;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that advances from one timer due time to the next. FakeTimeProvider 10.x moves
/// the clock to the target of <c>Advance</c> first and then fires every timer that came due, so a callback cannot
/// tell 3.609375 s from 10 s; this wrapper records each timer's wakeup and advances the inner clock to it exactly,
/// so every callback (and every timer it arms) runs at its own instant, in order.
/// </summary>
internal sealed class SteppedTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _inner = new();
    private readonly List<TrackedTimer> _timers = [];
    private TimeSpan _wallStep;

    /// <summary>The wall clock: the fake clock plus every <see cref="StepWallClock"/> so far.</summary>
    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + _wallStep;

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// A step of the wall clock alone (<c>date -s</c>, an NTP step): what <see cref="GetUtcNow"/> says jumps by
    /// <paramref name="by"/>; timestamps and timers run on as the kernel's monotonic clock does.
    /// </summary>
    public void StepWallClock(TimeSpan by) => _wallStep += by;

    /// <summary>The clock timers and timestamps run on, which a wall-clock step leaves alone.</summary>
    private DateTimeOffset Monotonic => _inner.GetUtcNow();

    public void Advance(TimeSpan delta)
    {
        var target = Monotonic + delta;
        for (var steps = 0; ; steps++)
        {
            Assert.True(steps < 1_000_000, "timers keep firing at the same instant");
            var next = _timers.Where(t => t.Wakeup is not null).Select(t => t.Wakeup!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (next > target)
            {
                break;
            }

            _inner.Advance(next > Monotonic ? next - Monotonic : TimeSpan.Zero);
        }

        _inner.Advance(target - Monotonic);
    }

    /// <summary>
    /// A stalled process (SIGSTOP, a VM pause): the clock moves on by <paramref name="delta"/> at once, then every
    /// timer that came due meanwhile fires, late, seeing the new time.
    /// </summary>
    public void Stall(TimeSpan delta) => _inner.Advance(delta);

    private sealed class TrackedTimer : ITimer
    {
        private readonly SteppedTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _timer;
        private TimeSpan _period;

        public TrackedTimer(SteppedTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _timer = owner._inner.CreateTimer(static s => ((TrackedTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset? Wakeup { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            Wakeup = dueTime == Timeout.InfiniteTimeSpan ? null : _owner.Monotonic + dueTime;
            return _timer.Change(dueTime, period);
        }

        public void Dispose()
        {
            Wakeup = null;
            _owner._timers.Remove(this);
            _timer.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Fire()
        {
            Wakeup = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? _owner.Monotonic + _period : null;
            _callback(_state);
        }
    }
}
