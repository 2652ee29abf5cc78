using CloudCoreLb.HealthCheck.Tests.TestSupport;
using CloudCoreLb.HealthCheck.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.HealthCheck.Tests;

public sealed class HealthCheckLogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ResultChangesAndTransitions_AreLoggedOnce_RepeatsAreNot()
    {
        var logger = new ListLogger();
        var probe = new ScriptedProbe(_time, true, true, false, false, true);
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 2, HealthInitialState.Down),
            new HealthCheckTiming(), _time, logger) { Name = "cloudcore" };

        for (var i = 0; i < 5; i++)
        {
            await loop.RunOnceAsync(CancellationToken.None);
        }

        var ids = logger.Entries.Select(e => e.EventId.Id).ToList();
        // OK (first result) + UP, FAIL, DOWN (second failure), OK + UP.
        Assert.Equal([3000, 3001, 3000, 3002, 3000, 3001], ids);
        Assert.All(logger.Entries, e => Assert.Contains("cloudcore", e.Message));
        Assert.Equal(LogLevel.Warning, logger.Entries.Single(e => e.EventId.Id == 3002).Level);
        Assert.Equal("CheckDown", logger.Entries.Single(e => e.EventId.Id == 3002).EventId.Name);
    }

    [Fact]
    public async Task SkippedRunsAndThrowingHandlers_AreLogged()
    {
        var logger = new ListLogger();
        var probe = new ScriptedProbe(_time) { Answer = call => call == 0 ? ProbeResult.Skip("busy") : ProbeResult.Ok() };
        await using var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming(), _time, logger);
        loop.Completed += (_, _, _) => throw new InvalidOperationException("handler bug");

        await loop.RunOnceAsync(CancellationToken.None);
        await loop.RunOnceAsync(CancellationToken.None);

        Assert.Contains(logger.Entries, e => e.EventId.Id == 3003 && e.Message.Contains("busy", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.EventId.Id == 3004 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task PriorityChanges_AreLogged()
    {
        var logger = new ListLogger();
        var loop = new HealthCheckLoop(new ScriptedProbe(_time, false), new RiseFallTracker(1, 1, HealthInitialState.Down),
            new HealthCheckTiming(), _time);
        using var tracker = new PriorityTracker(logger);
        tracker.Track(loop, -5);

        await loop.RunOnceAsync(CancellationToken.None);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(3010, entry.EventId.Id);
        Assert.Contains("priority delta -5 (was 0)", entry.Message);
    }
}
