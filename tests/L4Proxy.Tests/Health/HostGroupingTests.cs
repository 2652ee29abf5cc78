using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.L4Proxy.Tests.Health;

/// <summary>KubeEdge #3439/#5784: one edge, one CloudCore, on every port.</summary>
public sealed class HostGroupingTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, FakeProbe> _probes = [];

    [Fact]
    public async Task OnePortOfAHostFailsItsCheck_TheHostLeavesEveryBackend_AndReturnsWhenItRecovers()
    {
        await using var runtime = await StartAsync(groupByHost: true);
        var hub = runtime.GetBackend("hub");
        var stream = runtime.GetBackend("stream");

        _probes["10.0.0.2:10004"].Healthy = false;
        await AdvanceUntilAsync(() => !hub.Servers[1].IsUsable, "cc2 leaves the hub backend");
        Assert.True(hub.Servers[1].CheckUp);
        Assert.False(stream.Servers[1].IsUsable);
        Assert.True(hub.Servers[0].IsUsable);
        Assert.Equal(1, hub.Servers[1].Counters.DownTransitions);

        var status = runtime.GetServerStatus().Single(s => s.Backend == "hub" && s.Server == "cc2");
        Assert.False(status.Usable);
        Assert.True(status.CheckUp);

        _probes["10.0.0.2:10004"].Healthy = true;
        await AdvanceUntilAsync(() => hub.Servers[1].IsUsable && stream.Servers[1].IsUsable, "cc2 back everywhere");
        // Up once after its first check (servers start down), once now.
        Assert.Equal(2, hub.Servers[1].Counters.UpTransitions);
    }

    [Fact]
    public async Task WithoutGrouping_AFailingPortOnlyAffectsItsOwnBackend()
    {
        await using var runtime = await StartAsync(groupByHost: false);
        _probes["10.0.0.2:10004"].Healthy = false;
        var stream = runtime.GetBackend("stream");
        await AdvanceUntilAsync(() => !stream.Servers[1].IsUsable, "cc2 leaves the stream backend");
        Assert.True(runtime.GetBackend("hub").Servers[1].IsUsable);
    }

    [Fact]
    public async Task GroupedBackends_SendAClientToTheSameHostOnEveryPort_EvenWhileAHostIsDown()
    {
        await using var runtime = await StartAsync(groupByHost: true);
        var hub = runtime.GetBackend("hub");
        var stream = runtime.GetBackend("stream");
        var random = new Random(4);
        var clients = Enumerable.Range(0, 2000).Select(_ => CloudCoreLb.L4Proxy.Balancing.ClientKey.From(ServerSet.RandomIPv4(random))).ToArray();
        foreach (var c in clients)
        {
            Assert.Equal(hub.Balancer.Pick(c, 0)!.EndPoint.Address, stream.Balancer.Pick(c, 0)!.EndPoint.Address);
        }

        _probes["10.0.0.3:10000"].Healthy = false;
        await AdvanceUntilAsync(() => !stream.Servers[0].IsUsable, "cc3 (first in stream) down");
        foreach (var c in clients)
        {
            var h = hub.Balancer.Pick(c, 0)!.EndPoint.Address;
            Assert.NotEqual(IPAddress.Parse("10.0.0.3"), h);
            Assert.Equal(h, stream.Balancer.Pick(c, 0)!.EndPoint.Address);
        }
    }

    private async Task<ProxyRuntime> StartAsync(bool groupByHost)
    {
        BackendOptions Backend(string name, int port, params int[] order) => new()
        {
            Name = name,
            Health = new ServerHealthDefaults { Inter = TimeSpan.FromSeconds(1), Rise = 1, Fall = 1, InitialState = HealthInitialState.Down },
            Servers = order.Select(i => new ServerOptions { Name = $"cc{i}", EndPoint = new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), port) }).ToList(),
        };

        var options = new ProxyOptions
        {
            GroupServersByHost = groupByHost,
            Backends = [Backend("hub", 10000, 1, 2, 3), Backend("stream", 10004, 3, 2, 1)],
        };
        var runtime = new ProxyRuntime(null, _time, server =>
        {
            var probe = new FakeProbe(_time);
            _probes[server.EndPoint.ToString()] = probe;
            return probe;
        });
        await runtime.StartAsync(options, CancellationToken.None);
        await Wait.UntilAsync(() => runtime.GetServerStatus().All(s => s.Usable), "every server's first check passed");
        return runtime;
    }

    private Task AdvanceUntilAsync(Func<bool> condition, string what) => Wait.AdvanceUntilAsync(_time, condition, what);
}
