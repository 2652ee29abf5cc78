using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.L4Proxy.Tests;

/// <summary>Operator states on a running proxy: drain, maint, ready, by server or by host, across reload and upgrade.</summary>
public sealed class ProxyRuntimeAdminTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, FakeProbe> _probes = [];

    [Fact]
    public async Task DrainByHostAddress_TakesThatHostOutOfEveryBackend_AndReadyBringsItBack()
    {
        await using var runtime = await StartAsync();

        var drained = runtime.SetAdminState(ServerTarget.OfHost("10.0.0.2"), ServerAdminState.Drain);

        Assert.Equal(["hub/cc2", "stream/cc2"], drained.Select(s => $"{s.Backend}/{s.Server}"));
        Assert.All(drained, s => Assert.Equal(ServerAdminState.Drain, s.AdminState));
        Assert.False(runtime.GetBackend("hub").Servers[1].IsUsable);
        Assert.False(runtime.GetBackend("stream").Servers[1].IsUsable);
        Assert.True(runtime.GetBackend("hub").Servers[0].IsUsable);

        runtime.SetAdminState(ServerTarget.OfHost("cc2"), ServerAdminState.Ready);

        Assert.All(runtime.GetServerStatus(), s => Assert.True(s.Usable));
    }

    [Fact]
    public async Task DrainOneServer_LeavesTheSameHostInOtherBackends_Alone()
    {
        await using var runtime = await StartAsync();

        var drained = runtime.SetAdminState(ServerTarget.One("hub", "cc1"), ServerAdminState.Drain);

        Assert.Single(drained);
        Assert.False(runtime.GetBackend("hub").Servers[0].IsUsable);
        Assert.True(runtime.GetBackend("stream").Servers[0].IsUsable);
    }

    [Fact]
    public async Task ATargetThatMatchesNothing_ChangesNothing_AndSaysSo()
    {
        await using var runtime = await StartAsync();

        Assert.Empty(runtime.SetAdminState(ServerTarget.One("hub", "nope"), ServerAdminState.Drain));
        Assert.Empty(runtime.SetAdminState(ServerTarget.OfHost("10.9.9.9"), ServerAdminState.Maint));
        Assert.All(runtime.GetServerStatus(), s => Assert.Equal(ServerAdminState.Ready, s.AdminState));
    }

    [Fact]
    public async Task ADrainedServer_IsStillChecked_AndAFailingCheckStillCountsAsDown()
    {
        await using var runtime = await StartAsync();
        var server = runtime.GetBackend("hub").Servers[1];
        runtime.SetAdminState(ServerTarget.One("hub", "cc2"), ServerAdminState.Drain);
        var calls = _probes["10.0.0.2:10000"].Calls;

        _probes["10.0.0.2:10000"].Healthy = false;
        await AdvanceUntilAsync(() => !server.CheckUp, "the drained server's check sees it fail");

        Assert.True(_probes["10.0.0.2:10000"].Calls > calls);
        Assert.Equal(1, server.Counters.DownTransitions);
    }

    [Fact]
    public async Task AServerInMaintenance_IsNotChecked_AndReadyChecksItAtOnce()
    {
        await using var runtime = await StartAsync();
        var probe = _probes["10.0.0.3:10000"];
        var monitor = runtime.GetMonitor(runtime.GetBackend("hub").Servers[2])!;
        var parked = monitor.WaitsStarted;

        runtime.SetAdminState(ServerTarget.One("hub", "cc3"), ServerAdminState.Maint);
        await Wait.UntilAsync(() => monitor.WaitsStarted > parked, "the check parks");
        var calls = probe.Calls;
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(calls, probe.Calls);

        runtime.SetAdminState(ServerTarget.One("hub", "cc3"), ServerAdminState.Ready);
        await Wait.UntilAsync(() => probe.Calls > calls, "a check right after ready, without the clock moving");
        Assert.True(runtime.GetBackend("hub").Servers[2].IsUsable);
    }

    [Fact]
    public async Task AReload_KeepsTheStateOfAServerWithTheSameAddress_ButNotOfOneThatMoved()
    {
        await using var runtime = await StartAsync();
        runtime.SetAdminState(ServerTarget.OfHost("cc2"), ServerAdminState.Drain);
        runtime.SetAdminState(ServerTarget.One("stream", "cc1"), ServerAdminState.Maint);

        var next = Options();
        next.Backends[0].Servers[1].EndPoint = IPEndPoint.Parse("10.0.0.9:10000");
        await runtime.ApplyAsync(next);

        var states = States(runtime);
        Assert.Equal(ServerAdminState.Ready, states["hub/cc2"]);
        Assert.Equal(ServerAdminState.Drain, states["stream/cc2"]);
        Assert.Equal(ServerAdminState.Maint, states["stream/cc1"]);
        Assert.True(runtime.GetMonitor(runtime.GetBackend("stream").Servers[0])!.IsPaused);
    }

    [Fact]
    public async Task AnUpgrade_HandsTheAdminStatesToTheNextProcess()
    {
        await using var old = await StartAsync();
        old.SetAdminState(ServerTarget.OfHost("10.0.0.1"), ServerAdminState.Drain);
        old.SetAdminState(ServerTarget.One("stream", "cc3"), ServerAdminState.Maint);
        var handover = await old.FreezeAsync();

        await using var successor = new ProxyRuntime(null, _time, server => new FakeProbe(_time));
        await successor.StartForTakeoverAsync(Options(), CancellationToken.None);
        await successor.AdoptAsync(handover);
        successor.CompleteAdoption();

        var states = States(successor);
        Assert.Equal(ServerAdminState.Drain, states["hub/cc1"]);
        Assert.Equal(ServerAdminState.Drain, states["stream/cc1"]);
        Assert.Equal(ServerAdminState.Maint, states["stream/cc3"]);
        Assert.Equal(ServerAdminState.Ready, states["hub/cc2"]);
        Assert.True(successor.GetMonitor(successor.GetBackend("stream").Servers[2])!.IsPaused);
    }

    [Fact]
    public async Task ADrainedServer_KeepsItsEstablishedSession_WhileNewOnesGoElsewhere()
    {
        await using var first = new EchoServer(greeting: "one");
        await using var second = new EchoServer(greeting: "two");
        var backend = TestProxy.Backend("be", first.EndPoint, second.EndPoint);
        backend.Balance = BalanceAlgorithm.RoundRobin;
        await using var runtime = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend, o => o.GroupServersByHost = false);
        var proxy = runtime.GetFrontendEndPoint("fe");
        using var held = await TestProxy.ConnectAsync(proxy);
        var heldBy = await TestProxy.ReadLineAsync(held);
        var drainedName = heldBy == "one" ? "s1" : "s2";

        runtime.SetAdminState(ServerTarget.One("be", drainedName), ServerAdminState.Drain);
        for (var i = 0; i < 6; i++)
        {
            using var fresh = await TestProxy.ConnectAsync(proxy);
            Assert.NotEqual(heldBy, await TestProxy.ReadLineAsync(fresh));
        }

        await held.SendAsync("still here\n"u8.ToArray());
        Assert.Equal("still here", await TestProxy.ReadLineAsync(held));
        Assert.Equal(1, runtime.GetServerStatus().Single(s => s.Server == drainedName).Counters.Active);
    }

    private static Dictionary<string, ServerAdminState> States(ProxyRuntime runtime) =>
        runtime.GetServerStatus().ToDictionary(s => $"{s.Backend}/{s.Server}", s => s.AdminState);

    private static ProxyOptions Options()
    {
        BackendOptions Backend(string name, int port, params int[] order) => new()
        {
            Name = name,
            Health = new ServerHealthDefaults { Inter = TimeSpan.FromSeconds(1), Rise = 1, Fall = 1, InitialState = HealthInitialState.Up },
            Servers = order.Select(i => new ServerOptions { Name = $"cc{i}", EndPoint = new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), port) }).ToList(),
        };

        return new ProxyOptions { GroupServersByHost = true, Backends = [Backend("hub", 10000, 1, 2, 3), Backend("stream", 10004, 1, 2, 3)] };
    }

    private async Task<ProxyRuntime> StartAsync()
    {
        var runtime = new ProxyRuntime(null, _time, server =>
        {
            var probe = new FakeProbe(_time);
            _probes[server.EndPoint.ToString()] = probe;
            return probe;
        });
        await runtime.StartAsync(Options(), CancellationToken.None);
        await Wait.UntilAsync(() => _probes.Values.All(p => p.Calls > 0), "every server's first check ran");
        return runtime;
    }

    private Task AdvanceUntilAsync(Func<bool> condition, string what) => Wait.AdvanceUntilAsync(_time, condition, what);
}
