using CloudCoreLb.HealthCheck.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.HealthCheck.Tests;

public sealed class HealthCheckLoopTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Timeout_RunsOnTheLoopsTimeProvider()
    {
        var probe = new ScriptedProbe(_time, true) { RunTime = TimeSpan.FromHours(1) };
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming { Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) }, _time);
        loop.Start();
        Assert.Null(loop.LastResult);

        _time.Run(TimeSpan.FromSeconds(1));

        Assert.Equal("TIMEOUT", loop.LastResult?.Status);
        Assert.Equal(1, loop.Counters.FailuresByStatus()["TIMEOUT"]);
    }

    [Fact]
    public async Task AfterCompletion_NextRunStartsOneIntervalAfterThePreviousEnded()
    {
        var probe = new ScriptedProbe(_time, true) { RunTime = TimeSpan.FromSeconds(1) };
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming { Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(5) }, _time);
        loop.Start();

        _time.Step(TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(500));

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6)], probe.CallTimes);
    }

    [Fact]
    public async Task FixedRate_RunsOnTheIntervalGridAndSkipsTicksAnOverlongRunCovers()
    {
        var probe = new ScriptedProbe(_time, true);
        probe.Answer = _ =>
        {
            probe.RunTime = TimeSpan.Zero; // only the first run is slow
            return ProbeResult.Ok();
        };
        probe.RunTime = TimeSpan.FromSeconds(3);
        var skipped = 0;
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming
            {
                Interval = TimeSpan.FromSeconds(2),
                Timeout = TimeSpan.FromSeconds(5),
                Schedule = HealthCheckSchedule.FixedRate,
            }, _time);
        loop.Skipped += _ => skipped++;
        loop.Start();

        _time.Step(TimeSpan.FromSeconds(8), TimeSpan.FromMilliseconds(500));

        // Run 0 lasts 3 s: the tick at 2 s is skipped, the next run starts at 4 s, then 6 s, 8 s.
        Assert.Equal(TimeSpan.Zero, probe.CallTimes[0]);
        Assert.Equal(TimeSpan.FromSeconds(4), probe.CallTimes[1]);
        Assert.Equal(TimeSpan.FromSeconds(6), probe.CallTimes[2]);
        Assert.Equal(1, skipped);
        Assert.Equal(1, loop.Counters.Skipped);
    }

    [Theory]
    [InlineData(0, 2000, 2000, 0)]
    [InlineData(500, 2000, 1500, 0)]
    [InlineData(2000, 2000, 0, 0)]
    [InlineData(2500, 2000, 1500, 1)]
    [InlineData(6000, 2000, 0, 2)]
    [InlineData(6001, 2000, 1999, 3)]
    public void FixedRateWait_PicksTheFirstTickNotBeforeNow(int elapsedMs, int intervalMs, int waitMs, int missed)
    {
        var wait = HealthCheckLoop.FixedRateWait(
            TimeSpan.FromMilliseconds(elapsedMs), TimeSpan.FromMilliseconds(intervalMs), out var actualMissed);

        Assert.Equal(TimeSpan.FromMilliseconds(waitMs), wait);
        Assert.Equal(missed, actualMissed);
    }

    [Fact]
    public async Task SkippedProbeResult_IsCountedButNotFedToTheTracker()
    {
        var probe = new ScriptedProbe(_time) { Answer = _ => ProbeResult.Skip("busy") };
        var completed = 0;
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming { Interval = TimeSpan.FromSeconds(1) }, _time);
        loop.Completed += (_, _, _) => completed++;

        await loop.RunOnceAsync(CancellationToken.None);

        Assert.False(loop.Tracker.HasResult);
        Assert.Null(loop.LastResult);
        Assert.Equal(0, completed);
        Assert.Equal(1, loop.Counters.Skipped);
        Assert.Equal(0, loop.Counters.Runs);
    }

    [Fact]
    public async Task ThrowingHandler_DoesNotStopTheChecks()
    {
        var probe = new ScriptedProbe(_time, true);
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming { Interval = TimeSpan.FromSeconds(1) }, _time);
        loop.Completed += (_, _, _) => throw new InvalidOperationException("subscriber bug");
        loop.Start();

        _time.Step(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

        Assert.Equal(4, probe.Calls);
    }

    [Fact]
    public async Task ThrowingProbe_IsAFailedCheck()
    {
        var probe = new ScriptedProbe(_time) { Answer = _ => throw new IOException("boom") };
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming(), _time);

        var result = await loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal(ProbeResult.Fail("ERROR", "boom"), result);
    }

    [Fact]
    public async Task Counters_TrackRunsFailuresTransitionsAndDuration()
    {
        var probe = new ScriptedProbe(_time, true, false, false, true) { RunTime = TimeSpan.FromMilliseconds(30) };
        var transitions = new List<bool>();
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 2, HealthInitialState.Down),
            new HealthCheckTiming { Interval = TimeSpan.FromSeconds(1) }, _time);
        loop.StateChanged += (_, up) => transitions.Add(up);
        loop.Start();

        _time.Step(TimeSpan.FromSeconds(3.2), TimeSpan.FromMilliseconds(10));

        Assert.Equal(4, loop.Counters.Runs);
        Assert.Equal(2, loop.Counters.Failures);
        Assert.Equal(2, loop.Counters.FailuresByStatus()["FAIL"]);
        Assert.Equal(2, loop.Counters.UpTransitions);
        Assert.Equal(1, loop.Counters.DownTransitions);
        Assert.Equal(TimeSpan.FromMilliseconds(30), loop.Counters.LastDuration);
        Assert.Equal([true, false, true], transitions);
    }

    [Fact]
    public async Task DisposeTwice_IsHarmless()
    {
        var loop = new HealthCheckLoop(new ScriptedProbe(_time, true), new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming(), _time);
        loop.Start();

        await loop.DisposeAsync();
        await loop.DisposeAsync();
    }
}
