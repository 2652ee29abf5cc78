using CloudCoreLb.HealthCheck.Tests.TestSupport;
using CloudCoreLb.HealthCheck.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.HealthCheck.Tests.Tracking;

public sealed class TrackingOptionsTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Defaults_AreKeepalivedsVrrpScriptDefaults()
    {
        var options = new TrackedScriptOptions { Name = "chk", Script = "/bin/true" };

        Assert.Equal(TimeSpan.FromSeconds(1), options.Interval);
        Assert.Null(options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ToTiming().EffectiveTimeout);
        Assert.Equal(HealthCheckSchedule.FixedRate, options.ToTiming().Schedule);
        Assert.Equal(0, options.Weight);
        Assert.Equal(1, options.Rise);
        Assert.Equal(1, options.Fall);
        Assert.Equal(HealthInitialState.Down, options.CreateTracker().InitialState);
        Assert.Equal(HealthInitialState.FullyDown, (options with { InitFail = true }).CreateTracker().InitialState);
    }

    [Fact]
    public void BadValues_AreAllReported()
    {
        var options = new ListenerCheckOptions
        {
            Name = "x",
            Ports = [0, 70000],
            Interval = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(-1),
            Weight = 254,
            Rise = 0,
            Fall = 0,
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("interval must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("timeout must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("weight 254 is outside -253..253", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rise must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("fall must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("port 0 is outside", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("port 70000 is outside", StringComparison.Ordinal));
    }

    [Fact]
    public void InsecureScript_IsALoudError()
    {
        var script = _dir.WriteScript("gw.sh", "exit 0", TestDirectory.Mode755 | UnixFileMode.OtherWrite);
        var options = new TrackedScriptOptions { Name = "health_check", Script = script, Weight = -5 };

        var ex = Assert.Throws<ArgumentException>(() => TrackedCheck.Create(options, TimeProvider.System));

        Assert.Contains("check 'health_check'", ex.Message);
        Assert.Contains("writable by group or others", ex.Message);
    }

    [Fact]
    public void MissingScript_IsALoudError()
    {
        var options = new TrackedScriptOptions { Name = "health_check", Script = "/etc/keepalived/no-such-check.sh" };

        Assert.Contains(options.Validate(), e => e.EndsWith("file not found", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task SafeScript_RunsAsATrackedCheck()
    {
        var time = new FakeTimeProvider();
        var options = new TrackedScriptOptions { Name = "ok", Script = _dir.WriteScript("ok.sh", "exit 0"), Weight = 3 };
        await using var check = TrackedCheck.Create(options, time);
        using var tracker = new PriorityTracker();
        tracker.Track(check);

        await check.Loop.RunOnceAsync(CancellationToken.None);

        Assert.Equal((3, false), tracker.Current);
    }

    [Fact]
    public async Task BuiltInCloudCoreCheck_FollowsARealListener()
    {
        using var listener = new HeldPort();
        var options = BuiltInChecks.CloudCoreListening(listener.Port) with { Rise = 1, Fall = 1 };
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Interval);
        await using var check = TrackedCheck.Create(options, new FakeTimeProvider());
        using var tracker = new PriorityTracker();
        tracker.Track(check);

        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, false), tracker.Current);

        listener.StopListening();
        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((-5, false), tracker.Current);
    }

    [Fact]
    public async Task BuiltInFrontendsCheck_FaultsUntilEveryFrontendListens()
    {
        using var first = new HeldPort();
        using var second = new HeldPort();
        int[] ports = [first.Port, second.Port];
        second.StopListening();
        await using var check = TrackedCheck.Create(BuiltInChecks.FrontendsListening(ports), new FakeTimeProvider());
        using var tracker = new PriorityTracker();
        tracker.Track(check);
        Assert.Equal((0, true), tracker.Current);

        var result = await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, true), tracker.Current);
        Assert.Contains(ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture), result.Detail);

        second.StartListening();
        await check.Loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal((0, false), tracker.Current);
    }
}
