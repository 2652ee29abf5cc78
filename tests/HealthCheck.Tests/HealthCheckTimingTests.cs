namespace CloudCoreLb.HealthCheck.Tests;

public sealed class HealthCheckTimingTests
{
    [Fact]
    public void Defaults_AreHaproxys()
    {
        var timing = new HealthCheckTiming();

        Assert.Equal(TimeSpan.FromSeconds(2), timing.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), timing.EffectiveTimeout);
        Assert.Equal(HealthCheckSchedule.AfterCompletion, timing.Schedule);
        Assert.Empty(timing.Validate());
    }

    [Fact]
    public void NonPositiveValues_AreReported()
    {
        var timing = new HealthCheckTiming
        {
            Interval = TimeSpan.Zero,
            FastInterval = TimeSpan.FromSeconds(-1),
            DownInterval = TimeSpan.Zero,
            Timeout = TimeSpan.Zero,
            InitialDelay = TimeSpan.FromSeconds(-1),
        };

        Assert.Equal(5, timing.Validate().Count);
    }

    [Fact]
    public void NextInterval_FollowsTheCounterPosition()
    {
        var timing = new HealthCheckTiming
        {
            Interval = TimeSpan.FromSeconds(2),
            FastInterval = TimeSpan.FromMilliseconds(500),
            DownInterval = TimeSpan.FromSeconds(10),
        };
        var tracker = new RiseFallTracker(2, 3, HealthInitialState.FullyUp);
        Assert.Equal(TimeSpan.FromSeconds(2), timing.NextInterval(tracker));

        tracker.Report(false);
        Assert.Equal(TimeSpan.FromMilliseconds(500), timing.NextInterval(tracker));

        tracker.Report(false);
        tracker.Report(false);
        Assert.Equal(TimeSpan.FromSeconds(10), timing.NextInterval(tracker));
    }
}
