using CloudCoreLb.HealthCheck.Tests.TestSupport;
using CloudCoreLb.HealthCheck.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.HealthCheck.Tests.Tracking;

public sealed class PriorityTrackerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task SeedSettings_FailureAtStartSubtractsAtOnce_RecoveryNeedsFiveSuccesses_ThreeFailuresDropAgain()
    {
        // vrrp_script health_check { interval 2 weight -5 fall 3 rise 5 } (seed keepalived.conf).
        var probe = new ScriptedProbe(_time, false, true, true, true, true, true, false);
        await using var check = Check(probe, interval: 2, weight: -5, fall: 3, rise: 5);
        using var tracker = new PriorityTracker();
        tracker.Track(check);
        var changes = new List<(TimeSpan At, int Delta, bool Fault)>();
        tracker.Changed += (delta, fault) => changes.Add((probe.CallTimes[^1], delta, fault));
        Assert.Equal((0, false), tracker.Current); // undecided: no effect yet

        check.Start();
        Assert.Equal((-5, false), tracker.Current); // the check at t=0 failed: -5 at once

        _time.Step(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(1));
        Assert.Equal((-5, false), tracker.Current); // 4 successes (t=2..8) are not enough

        _time.Step(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.Equal((0, false), tracker.Current); // the 5th success at t=10 restores it

        _time.Step(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1));
        Assert.Equal((0, false), tracker.Current); // 2 failures (t=12, 14) are absorbed

        _time.Step(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.Equal((-5, false), tracker.Current); // the 3rd at t=16 drops it

        Assert.Equal(
            [(TimeSpan.Zero, -5, false), (TimeSpan.FromSeconds(10), 0, false), (TimeSpan.FromSeconds(16), -5, false)],
            changes);
    }

    [Fact]
    public async Task KeepalivedStart_FirstSuccessCountsAtOnceDespiteRiseFive()
    {
        await using var check = Check(new ScriptedProbe(_time, true), weight: 10, rise: 5, fall: 3);
        using var tracker = new PriorityTracker();
        tracker.Track(check);

        await check.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((10, false), tracker.Current);
    }

    [Fact]
    public async Task InitFail_StartsFailedAndNeedsRiseSuccesses()
    {
        await using var check = Check(new ScriptedProbe(_time, true), weight: -5, rise: 3, fall: 1, initFail: true);
        using var tracker = new PriorityTracker();
        tracker.Track(check);
        Assert.Equal((-5, false), tracker.Current);

        await check.Loop.RunOnceAsync(CancellationToken.None);
        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((-5, false), tracker.Current);

        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, false), tracker.Current);
    }

    [Fact]
    public async Task WeightZero_IsFaultUntilItReportsAndWhileItFails()
    {
        var probe = new ScriptedProbe(_time, true, false, true);
        await using var check = Check(probe, weight: 0);
        using var tracker = new PriorityTracker();
        tracker.Track(check);
        Assert.Equal((0, true), tracker.Current); // INIT: waits for the first report

        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, false), tracker.Current);

        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, true), tracker.Current);

        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, false), tracker.Current);
    }

    [Fact]
    public async Task Weights_AddIntoOneDelta()
    {
        await using var failingMinus5 = Check(new ScriptedProbe(_time, false), weight: -5);
        await using var passingPlus10 = Check(new ScriptedProbe(_time, true), weight: 10);
        await using var passingMinus3 = Check(new ScriptedProbe(_time, true), weight: -3);
        await using var failingPlus7 = Check(new ScriptedProbe(_time, false), weight: 7);
        await using var passingZero = Check(new ScriptedProbe(_time, true), weight: 0);
        using var tracker = new PriorityTracker();
        TrackedCheck[] all = [failingMinus5, passingPlus10, passingMinus3, failingPlus7, passingZero];
        foreach (var check in all)
        {
            tracker.Track(check);
        }

        foreach (var check in all)
        {
            await check.Loop.RunOnceAsync(CancellationToken.None);
        }

        Assert.Equal((5, false), tracker.Current); // -5 (failing) + 10 (passing); -3 passing and +7 failing add nothing
        var snapshot = tracker.Snapshot();
        Assert.Equal([-5, 10, 0, 0, 0], snapshot.Select(s => s.Contribution));
        Assert.All(snapshot, s => Assert.False(s.CausesFault));
    }

    [Fact]
    public async Task FaultAndDelta_AreIndependent()
    {
        await using var fault = Check(new ScriptedProbe(_time, false), weight: 0);
        await using var minus = Check(new ScriptedProbe(_time, false), weight: -20);
        using var tracker = new PriorityTracker();
        tracker.Track(fault);
        tracker.Track(minus);

        await fault.Loop.RunOnceAsync(CancellationToken.None);
        await minus.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((-20, true), tracker.Current);
        Assert.True(Assert.Single(tracker.Snapshot(), s => s.Weight == 0).CausesFault);
    }

    [Fact]
    public async Task Delta_IsNotClamped_ThatIsTheVrrpSidesJob()
    {
        await using var a = Check(new ScriptedProbe(_time, false), weight: -253);
        await using var b = Check(new ScriptedProbe(_time, false), weight: -200);
        using var tracker = new PriorityTracker();
        tracker.Track(a);
        tracker.Track(b);

        await a.Loop.RunOnceAsync(CancellationToken.None);
        await b.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((-453, false), tracker.Current);
    }

    [Fact]
    public async Task OneCheck_CanCarryADifferentWeightPerTracker()
    {
        await using var check = Check(new ScriptedProbe(_time, false), weight: -5);
        using var first = new PriorityTracker();
        using var second = new PriorityTracker();
        first.Track(check);
        second.Track(check, weightOverride: -50);

        await check.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((-5, false), first.Current);
        Assert.Equal((-50, false), second.Current);
    }

    [Fact]
    public async Task Changed_FiresOnlyOnChange_AndHandlersMayReadCurrent()
    {
        await using var check = Check(new ScriptedProbe(_time, false, false, true, true), weight: -5);
        using var tracker = new PriorityTracker();
        tracker.Track(check);
        var seen = new List<(int, bool)>();
        tracker.Changed += (_, _) => seen.Add(tracker.Current);

        for (var i = 0; i < 4; i++)
        {
            await check.Loop.RunOnceAsync(CancellationToken.None);
        }

        Assert.Equal([(-5, false), (0, false)], seen);
        Assert.Equal(2, tracker.Changes);
    }

    [Fact]
    public async Task Dispose_StopsFollowingTheChecks()
    {
        await using var check = Check(new ScriptedProbe(_time, false), weight: -5);
        var tracker = new PriorityTracker();
        tracker.Track(check);

        tracker.Dispose();
        await check.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((0, false), tracker.Current);
    }

    [Fact]
    public void WeightOutsideKeepalivedRange_IsRejected()
    {
        var loop = new HealthCheckLoop(new ScriptedProbe(_time, true), new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming(), _time);
        using var tracker = new PriorityTracker();

        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Track(loop, 254));
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Track(loop, -254));
    }

    private TrackedCheck Check(IHealthProbe probe, double interval = 1, int weight = 0, int rise = 1, int fall = 1, bool initFail = false) =>
        new(new ListenerCheckOptions
        {
            Name = "test",
            Ports = [10000],
            Interval = TimeSpan.FromSeconds(interval),
            Weight = weight,
            Rise = rise,
            Fall = fall,
            InitFail = initFail,
        }, probe, _time);
}
