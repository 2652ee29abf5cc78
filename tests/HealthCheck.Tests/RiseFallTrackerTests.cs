namespace CloudCoreLb.HealthCheck.Tests;

public sealed class RiseFallTrackerTests
{
    [Theory]
    [InlineData(HealthInitialState.FullyUp, 6, true)]
    [InlineData(HealthInitialState.Up, 2, true)]
    [InlineData(HealthInitialState.Down, 1, false)]
    [InlineData(HealthInitialState.FullyDown, 0, false)]
    public void InitialStates_StartWhereHaproxyStarts(HealthInitialState state, int health, bool up)
    {
        var tracker = new RiseFallTracker(rise: 2, fall: 5, state);

        Assert.Equal(health, tracker.Health);
        Assert.Equal(up, tracker.IsUp);
        Assert.False(tracker.HasResult);
        Assert.Equal(state, tracker.InitialState);
    }

    [Fact]
    public void FullyUp_GoesDownOnlyAfterFallConsecutiveFailures()
    {
        var tracker = new RiseFallTracker(2, 5, HealthInitialState.FullyUp);

        for (var i = 0; i < 4; i++)
        {
            Assert.False(tracker.Report(false));
            Assert.True(tracker.IsUp);
        }

        Assert.True(tracker.Report(false));
        Assert.False(tracker.IsUp);
        Assert.True(tracker.IsFullyDown);
    }

    [Fact]
    public void OneSuccessWhileUp_RestoresTheFullFallBudget()
    {
        var tracker = new RiseFallTracker(2, 3, HealthInitialState.FullyUp);
        tracker.Report(false);
        tracker.Report(false);

        tracker.Report(true);

        Assert.True(tracker.IsFullyUp);
        Assert.False(tracker.Report(false));
        Assert.False(tracker.Report(false));
        Assert.True(tracker.Report(false));
    }

    [Fact]
    public void OneFailureWhileDown_RestartsTheRiseCount()
    {
        var tracker = new RiseFallTracker(3, 2, HealthInitialState.FullyDown);
        tracker.Report(true);
        tracker.Report(true);

        tracker.Report(false);

        Assert.Equal(0, tracker.Health);
        Assert.False(tracker.Report(true));
        Assert.False(tracker.Report(true));
        Assert.True(tracker.Report(true));
        Assert.True(tracker.IsFullyUp);
    }

    [Fact]
    public void HaproxyDefaultUp_GoesDownAtTheFirstFailure()
    {
        var tracker = new RiseFallTracker(2, 5, HealthInitialState.Up);

        Assert.True(tracker.Report(false));
        Assert.Equal(0, tracker.Health);
    }

    [Fact]
    public void KeepalivedStart_FirstResultDecidesEitherWay()
    {
        var passing = new RiseFallTracker(5, 3, HealthInitialState.Down);
        Assert.True(passing.Report(true));
        Assert.True(passing.IsFullyUp);

        var failing = new RiseFallTracker(5, 3, HealthInitialState.Down);
        Assert.False(failing.Report(false)); // the verdict was already "not up"; the counter drops to 0
        Assert.True(failing.IsFullyDown);
        Assert.True(failing.HasResult);
    }

    [Fact]
    public void RiseOneFallOne_FlipsOnEveryChange()
    {
        var tracker = new RiseFallTracker(1, 1, HealthInitialState.Down);

        Assert.True(tracker.Report(true));
        Assert.False(tracker.Report(true));
        Assert.True(tracker.Report(false));
        Assert.False(tracker.Report(false));
        Assert.True(tracker.Report(true));
    }

    [Fact]
    public void InvalidRiseOrFall_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RiseFallTracker(0, 1, HealthInitialState.Down));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RiseFallTracker(1, 0, HealthInitialState.Down));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RiseFallTracker(1, 1, (HealthInitialState)42));
    }

    [Fact]
    public void Restart_MovesTheCounter_KeepsTheResultHistory_AndSaysWhetherTheVerdictChanged()
    {
        var tracker = new RiseFallTracker(2, 3, HealthInitialState.FullyUp);
        tracker.Report(true);

        Assert.False(tracker.Restart(HealthInitialState.Up));
        Assert.Equal(2, tracker.Health);
        Assert.True(tracker.HasResult);
        tracker.Report(false);
        Assert.False(tracker.IsUp);

        Assert.True(tracker.Restart(HealthInitialState.FullyUp));
        Assert.Equal(4, tracker.Health);
    }
}
