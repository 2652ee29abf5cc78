using System.Net;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Balancing;

/// <summary>haproxy <c>balance source</c>, map-based (docs/design/l4proxy.md §1.1-§1.2); expected values from h mod total weight.</summary>
public sealed class MapSourceHashBalancerTests
{
    [Theory]
    [InlineData("192.168.1.10", "cc3")] // 3232235786 mod 3 = 2, the reference's own example
    [InlineData("10.0.0.5", "cc1")]
    [InlineData("10.0.0.6", "cc2")]
    [InlineData("10.0.0.7", "cc3")]
    [InlineData("172.16.5.4", "cc3")]
    [InlineData("1.2.3.4", "cc2")]
    [InlineData("255.255.255.255", "cc1")]
    [InlineData("100.64.12.34", "cc1")]
    [InlineData("127.0.0.10", "cc3")] // this and the next two observed with haproxy 2.6 on loopback
    [InlineData("127.0.0.11", "cc1")]
    [InlineData("127.200.100.12", "cc2")]
    [InlineData("::ffff:192.168.1.10", "cc2")] // not normalised: (ipv4 ^ 0xFFFF) mod 3 = 1
    [InlineData("2001:db8::1", "cc1")] // 0x20010db9 mod 3 = 0
    [InlineData("fd00:1:2:3:4:5:6:7", "cc2")] // XOR of words 0xfd000000 mod 3 = 1
    public void ThreeEqualServers_MatchHaproxy(string client, string expected)
    {
        var backend = ServerSet.Three(BalanceAlgorithm.SourceMapBased);
        Assert.Equal(expected, Pick(backend, client)!.Name);
    }

    [Theory]
    [InlineData("192.168.1.10", "cc1")] // mod 2 = 0 over [cc1, cc3]
    [InlineData("10.0.0.5", "cc3")]
    [InlineData("10.0.0.6", "cc1")]
    [InlineData("172.16.5.4", "cc1")]
    [InlineData("255.255.255.255", "cc3")]
    public void SecondServerDown_MapBecomesFirstAndThird_IndexedByIpMod2(string client, string expected)
    {
        var backend = ServerSet.Three(BalanceAlgorithm.SourceMapBased);
        ServerSet.SetUp(backend, 1, up: false);
        Assert.Equal(expected, Pick(backend, client)!.Name);
    }

    [Fact]
    public void EqualWeights_MapKeepsDeclarationOrder()
    {
        var backend = ServerSet.Three(BalanceAlgorithm.SourceMapBased);
        Assert.Equal(["cc1", "cc2", "cc3"], ((MapSourceHashBalancer)backend.Balancer).Map.Select(s => s.Name));
    }

    [Fact]
    public void Weights_AreDividedByTheirGcd_AndFilledLikeHaproxy()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.SourceMapBased, ("a", "10.0.0.1:1", 2), ("b", "10.0.0.2:1", 4), ("c", "10.0.0.3:1", 6));
        Assert.Equal(["a", "c", "b", "c", "b", "c"], ((MapSourceHashBalancer)backend.Balancer).Map.Select(s => s.Name));
    }

    [Fact]
    public void OneOfThreeDown_MovesAboutTwoThirdsOfClients_TheKnownMapBasedDrawback()
    {
        var backend = ServerSet.Three(BalanceAlgorithm.SourceMapBased);
        var random = new Random(21);
        var clients = Enumerable.Range(0, 10_000).Select(_ => ServerSet.RandomIPv4(random)).ToArray();
        var before = clients.Select(c => backend.Balancer.Pick(ClientKey.From(c), 0)!.Index).ToArray();
        ServerSet.SetUp(backend, 1, up: false);
        var moved = clients.Where((c, i) => backend.Balancer.Pick(ClientKey.From(c), 0)!.Index != before[i]).Count();
        Assert.InRange(moved / 10_000.0, 0.62, 0.72);
    }

    [Fact]
    public void Redispatch_SkipsTheServerAlreadyTried()
    {
        var backend = ServerSet.Three(BalanceAlgorithm.SourceMapBased);
        var first = Pick(backend, "192.168.1.10")!;
        var second = backend.Balancer.Pick(ClientKey.From(IPAddress.Parse("192.168.1.10")), first.Bit)!;
        Assert.Equal("cc3", first.Name);
        Assert.Equal("cc1", second.Name);
    }

    [Fact]
    public void NoActiveServer_FirstUsableBackupOnly()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.SourceMapBased, groupByHost: false,
            new ServerOptions { Name = "a", EndPoint = IPEndPoint.Parse("10.0.0.1:1") },
            new ServerOptions { Name = "bk1", EndPoint = IPEndPoint.Parse("10.0.0.2:1"), Backup = true },
            new ServerOptions { Name = "bk2", EndPoint = IPEndPoint.Parse("10.0.0.3:1"), Backup = true });
        ServerSet.SetUp(backend, 0, up: false);
        Assert.Equal(["bk1"], ((MapSourceHashBalancer)backend.Balancer).Map.Select(s => s.Name));
    }

    private static ProxyServer? Pick(ProxyBackend backend, string client)
        => backend.Balancer.Pick(ClientKey.From(IPAddress.Parse(client)), 0);
}
