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
    private readonly FakeTimeProvider inner = new();
    private readonly List<TrackedTimer> timers = [];

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this, callback, state);
        timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan delta)
    {
        var target = GetUtcNow() + delta;
        for (var steps = 0; ; steps++)
        {
            Assert.True(steps < 1_000_000, "timers keep firing at the same instant");
            var next = timers.Where(t => t.Wakeup is not null).Select(t => t.Wakeup!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (next > target)
            {
                break;
            }

            inner.Advance(next > GetUtcNow() ? next - GetUtcNow() : TimeSpan.Zero);
        }

        inner.Advance(target - GetUtcNow());
    }

    private sealed class TrackedTimer : ITimer
    {
        private readonly SteppedTimeProvider owner;
        private readonly TimerCallback callback;
        private readonly object? state;
        private readonly ITimer timer;
        private TimeSpan period;

        public TrackedTimer(SteppedTimeProvider owner, TimerCallback callback, object? state)
        {
            this.owner = owner;
            this.callback = callback;
            this.state = state;
            timer = owner.inner.CreateTimer(static s => ((TrackedTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset? Wakeup { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            this.period = period;
            Wakeup = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            return timer.Change(dueTime, period);
        }

        public void Dispose()
        {
            Wakeup = null;
            owner.timers.Remove(this);
            timer.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Fire()
        {
            Wakeup = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan ? owner.GetUtcNow() + period : null;
            callback(state);
        }
    }
}
