using System.Net;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Balancing;

public sealed class RoundRobinAndLeastConnBalancerTests
{
    private static readonly ClientKey AnyClient = ClientKey.From(IPAddress.Parse("192.0.2.7"));

    [Fact]
    public void RoundRobin_CyclesInWeightProportion()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.RoundRobin, ("a", "10.0.0.1:1", 1), ("b", "10.0.0.2:1", 2), ("c", "10.0.0.3:1", 1));
        var picks = Enumerable.Range(0, 400).Select(_ => backend.Balancer.Pick(AnyClient, 0)!.Name).ToArray();
        Assert.Equal(100, picks.Count(p => p == "a"));
        Assert.Equal(200, picks.Count(p => p == "b"));
        Assert.Equal(100, picks.Count(p => p == "c"));
    }

    [Fact]
    public void RoundRobin_SkipsDownServers()
    {
        var backend = ServerSet.Three(BalanceAlgorithm.RoundRobin);
        ServerSet.SetUp(backend, 2, up: false);
        var picks = Enumerable.Range(0, 10).Select(_ => backend.Balancer.Pick(AnyClient, 0)!.Name).ToHashSet();
        Assert.Equal(["cc1", "cc2"], picks.Order());
    }

    [Fact]
    public void LeastConn_PicksTheServerWithFewestActiveSessionsPerWeight()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.LeastConn, ("a", "10.0.0.1:1", 1), ("b", "10.0.0.2:1", 2), ("c", "10.0.0.3:1", 1));
        backend.Servers[0].Counters.Assigned(); // a: 1/1
        backend.Servers[1].Counters.Assigned(); // b: 1/2
        backend.Servers[2].Counters.Assigned();
        backend.Servers[2].Counters.Assigned(); // c: 2/1
        Assert.Equal("b", backend.Balancer.Pick(AnyClient, 0)!.Name);
        Assert.Equal("a", backend.Balancer.Pick(AnyClient, backend.Servers[1].Bit)!.Name);
    }

    [Fact]
    public void LeastConn_IdleServersShareNewSessions()
    {
        var backend = ServerSet.Three(BalanceAlgorithm.LeastConn);
        var picks = Enumerable.Range(0, 30).Select(_ => backend.Balancer.Pick(AnyClient, 0)!.Name).ToHashSet();
        Assert.Equal(3, picks.Count);
    }
}
