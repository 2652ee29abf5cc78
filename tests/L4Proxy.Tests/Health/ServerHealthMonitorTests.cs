using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy.Health;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.L4Proxy.Tests.Health;

public sealed class ServerHealthMonitorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(TimeSpan At, bool Up)> _transitions = [];
    private FakeProbe _probe = null!;
    private ServerHealthMonitor? _monitor;

    public Task InitializeAsync()
    {
        _probe = new FakeProbe(_time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_monitor is not null)
        {
            await _monitor.DisposeAsync();
        }
    }

    [Fact]
    public async Task DefaultInitialStateDown_FirstPassingCheckBringsItUp_ThenFallFailuresTakeItDown_ThenRiseSuccessesBringItBack()
    {
        var server = await StartAsync(new ServerOptions { Name = "cc1", EndPoint = IPEndPoint.Parse("10.0.0.1:10000") });
        Assert.Equal([(TimeSpan.Zero, true)], _transitions);

        _probe.Healthy = false;
        await StepAsync(TimeSpan.FromSeconds(2));
        await StepAsync(TimeSpan.FromSeconds(2));
        Assert.True(server.CheckUp);
        await StepAsync(TimeSpan.FromSeconds(2));
        Assert.False(server.CheckUp);
        Assert.Equal((TimeSpan.FromSeconds(6), false), _transitions[^1]);

        _probe.Healthy = true;
        await StepAsync(TimeSpan.FromSeconds(2));
        Assert.False(server.CheckUp);
        await StepAsync(TimeSpan.FromSeconds(2));
        Assert.Equal((TimeSpan.FromSeconds(10), true), _transitions[^1]);
        Assert.Equal(Seconds(0, 2, 4, 6, 8, 10), _probe.CallTimes);
    }

    [Fact]
    public async Task FastInterWhileTransitioning_DownInterWhileFullyDown()
    {
        await StartAsync(new ServerOptions
        {
            Name = "cc1",
            EndPoint = IPEndPoint.Parse("10.0.0.1:10000"),
            Rise = 2,
            Fall = 2,
            FastInter = TimeSpan.FromMilliseconds(500),
            DownInter = TimeSpan.FromSeconds(5),
            InitialState = HealthInitialState.FullyUp,
        }, healthy: false);

        // t=0 fails (health 3 -> 2, still up, transitional): fastinter. t=0.5 fails: down, fully down: downinter.
        await StepAsync(TimeSpan.FromMilliseconds(500));
        await StepAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(5500)], _probe.CallTimes);
        Assert.Equal([(TimeSpan.FromMilliseconds(500), false)], _transitions);
    }

    [Fact]
    public async Task HaproxyInitialStateUp_ADeadServerIsUpUntilItsFirstCheck_AndDownAfterOneFailure()
    {
        _probe.Healthy = false;
        var options = new ServerOptions { Name = "cc1", EndPoint = IPEndPoint.Parse("10.0.0.1:10000"), InitialState = HealthInitialState.Up, Fall = 3 };
        var server = NewServer(options);
        Assert.True(server.CheckUp);
        await StartAsync(server);
        Assert.False(server.CheckUp);
        Assert.Equal([(TimeSpan.Zero, false)], _transitions);
    }

    [Fact]
    public async Task PassiveFailure_PullsTheNextCheckForward()
    {
        await StartAsync(new ServerOptions { Name = "cc1", EndPoint = IPEndPoint.Parse("10.0.0.1:10000") });
        var waits = _monitor!.WaitsStarted;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _monitor.RequestFastCheck();
        _monitor.RequestFastCheck();
        await Wait.UntilAsync(() => _monitor.WaitsStarted > waits, "the monitor re-arms its wait");
        await StepAsync(TimeSpan.FromMilliseconds(400));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(500)], _probe.CallTimes);
    }

    private static TimeSpan[] Seconds(params int[] s) => s.Select(x => TimeSpan.FromSeconds(x)).ToArray();

    private static ProxyServer NewServer(ServerOptions options)
        => new ProxyBackend(new BackendOptions { Name = "be", Servers = [options] }).Servers[0];

    private Task<ProxyServer> StartAsync(ServerOptions options, bool healthy = true)
    {
        _probe.Healthy = healthy;
        return StartAsync(NewServer(options));
    }

    private async Task<ProxyServer> StartAsync(ProxyServer server)
    {
        var origin = _time.GetUtcNow();
        _monitor = new ServerHealthMonitor(server, _probe, _time, NullLogger.Instance, (s, up) =>
        {
            s.SetCheckUp(up);
            lock (_transitions)
            {
                _transitions.Add((_time.GetUtcNow() - origin, up));
            }
        });
        _monitor.Start();
        await Wait.UntilAsync(() => _monitor.WaitsStarted >= 1, "first check done");
        return server;
    }

    /// <summary>Advances the fake clock by one interval and waits until the check ran and the next wait is armed.</summary>
    private async Task StepAsync(TimeSpan by)
    {
        var waits = _monitor!.WaitsStarted;
        _time.Advance(by);
        await Wait.UntilAsync(() => _monitor.WaitsStarted > waits, $"a check after advancing {by}");
    }
}
