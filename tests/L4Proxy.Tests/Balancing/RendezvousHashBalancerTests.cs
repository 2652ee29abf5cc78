using System.Net;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Balancing;

public sealed class RendezvousHashBalancerTests
{
    private const int Clients = 10_000;

    [Fact]
    public void ThreeEqualServers_TenThousandRandomIPv4Clients_EachGetsAboutAThird()
    {
        var backend = ServerSet.Three();
        var counts = new int[3];
        var random = new Random(42);
        for (var i = 0; i < Clients; i++)
        {
            counts[Pick(backend, ServerSet.RandomIPv4(random))!.Index]++;
        }

        foreach (var count in counts)
        {
            Assert.InRange(count / (double)Clients, 1 / 3.0 - 0.03, 1 / 3.0 + 0.03);
        }
    }

    [Fact]
    public void ThreeEqualServers_RandomIPv6Clients_EachGetsAboutAThird()
    {
        var backend = ServerSet.Three();
        var counts = new int[3];
        var random = new Random(7);
        for (var i = 0; i < Clients; i++)
        {
            counts[Pick(backend, ServerSet.RandomIPv6(random))!.Index]++;
        }

        foreach (var count in counts)
        {
            Assert.InRange(count / (double)Clients, 1 / 3.0 - 0.03, 1 / 3.0 + 0.03);
        }
    }

    [Fact]
    public void OneOfThreeDown_OnlyItsClientsMove_AndTheyReturnWhenItComesBack()
    {
        var backend = ServerSet.Three();
        var random = new Random(1);
        var clients = Enumerable.Range(0, Clients).Select(_ => ServerSet.RandomIPv4(random)).ToArray();
        var before = clients.Select(c => Pick(backend, c)!.Index).ToArray();

        ServerSet.SetUp(backend, 1, up: false);
        var during = clients.Select(c => Pick(backend, c)!.Index).ToArray();
        var moved = 0;
        for (var i = 0; i < clients.Length; i++)
        {
            if (before[i] != 1)
            {
                Assert.Equal(before[i], during[i]);
            }
            else
            {
                Assert.NotEqual(1, during[i]);
                moved++;
            }
        }

        Assert.InRange(moved / (double)Clients, 0.0, 1 / 3.0 + 0.02);

        ServerSet.SetUp(backend, 1, up: true);
        var after = clients.Select(c => Pick(backend, c)!.Index).ToArray();
        Assert.Equal(before, after);
    }

    [Fact]
    public void DeadServersClients_SpreadOverTheSurvivors()
    {
        var backend = ServerSet.Three();
        ServerSet.SetUp(backend, 0, up: false);
        var random = new Random(3);
        var counts = new int[3];
        for (var i = 0; i < Clients; i++)
        {
            counts[Pick(backend, ServerSet.RandomIPv4(random))!.Index]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.InRange(counts[1] / (double)Clients, 0.47, 0.53);
    }

    [Fact]
    public void Redispatch_ExcludingTheFirstChoice_GivesTheServerTheClientGetsWhenItIsDown()
    {
        var backend = ServerSet.Three();
        var random = new Random(5);
        var clients = Enumerable.Range(0, 1000).Select(_ => ServerSet.RandomIPv4(random)).ToArray();
        var first = clients.Select(c => Pick(backend, c)!).ToArray();
        var second = clients.Select((c, i) => Pick(backend, c, first[i].Bit)!).ToArray();
        for (var i = 0; i < clients.Length; i++)
        {
            Assert.NotEqual(first[i], second[i]);
            ServerSet.SetUp(backend, first[i].Index, up: false);
            Assert.Same(second[i], Pick(backend, clients[i]));
            ServerSet.SetUp(backend, first[i].Index, up: true);
        }

        // Excluding everybody leaves nothing.
        Assert.Null(Pick(backend, clients[0], 0b111));
    }

    [Fact]
    public void DeclarationOrderAndPorts_DoNotChangeTheMapping()
    {
        var a = ServerSet.Backend(BalanceAlgorithm.Source, ("cc1", "10.0.0.1:10000", 1), ("cc2", "10.0.0.2:10000", 1), ("cc3", "10.0.0.3:10000", 1));
        var b = ServerSet.Backend(BalanceAlgorithm.Source, ("x3", "10.0.0.3:10004", 1), ("x1", "10.0.0.1:10004", 1), ("x2", "10.0.0.2:10004", 1));
        var random = new Random(9);
        for (var i = 0; i < 2000; i++)
        {
            var client = ServerSet.RandomIPv4(random);
            Assert.Equal(Pick(a, client)!.EndPoint.Address, Pick(b, client)!.EndPoint.Address);
        }
    }

    [Theory]
    [InlineData("192.168.1.10", "10.0.0.3")]
    [InlineData("10.0.0.5", "10.0.0.3")]
    [InlineData("172.16.5.4", "10.0.0.3")]
    [InlineData("1.2.3.4", "10.0.0.1")]
    [InlineData("8.8.8.8", "10.0.0.3")]
    [InlineData("2001:db8::1", "10.0.0.1")]
    [InlineData("fd00::42", "10.0.0.1")]
    public void Mapping_IsPinned_SoEveryNodeAndVersionAgrees(string client, string expectedHost)
    {
        // Golden values, computed by an independent Python implementation of the documented algorithm (client =
        // fmix64(0x4_0000_0000 | ipv4), or fmix64(fmix64(hi ^ 0x6_0000_0000_0000) ^ lo) for IPv6; server =
        // fmix64(FNV-1a-64(host address text)); winner = max fmix64(client ^ server)). A change here means nodes
        // running different versions would split edges across CloudCores.
        var backend = ServerSet.Three();
        Assert.Equal(IPAddress.Parse(expectedHost), Pick(backend, IPAddress.Parse(client))!.EndPoint.Address);
    }

    [Fact]
    public void IPv4MappedIPv6Client_HashesAsItsIPv4Address()
    {
        var backend = ServerSet.Three();
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var v4 = ServerSet.RandomIPv4(random);
            Assert.Same(Pick(backend, v4), Pick(backend, v4.MapToIPv6()));
        }
    }

    [Fact]
    public void Weights_SplitClientsInProportion()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.Source, ("a", "10.0.0.1:1", 1), ("b", "10.0.0.2:1", 2), ("c", "10.0.0.3:1", 1));
        var counts = new int[3];
        var random = new Random(13);
        for (var i = 0; i < Clients; i++)
        {
            counts[Pick(backend, ServerSet.RandomIPv4(random))!.Index]++;
        }

        Assert.InRange(counts[0] / (double)Clients, 0.22, 0.28);
        Assert.InRange(counts[1] / (double)Clients, 0.47, 0.53);
        Assert.InRange(counts[2] / (double)Clients, 0.22, 0.28);
    }

    [Fact]
    public void WeightZero_GetsNothing()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.Source, ("a", "10.0.0.1:1", 1), ("b", "10.0.0.2:1", 0));
        var random = new Random(17);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("a", Pick(backend, ServerSet.RandomIPv4(random))!.Name);
        }
    }

    [Fact]
    public void NoActiveServerUp_FirstUsableBackupTakesEverything()
    {
        var backend = ServerSet.Backend(BalanceAlgorithm.Source, groupByHost: true,
            new ServerOptions { Name = "a", EndPoint = IPEndPoint.Parse("10.0.0.1:1") },
            new ServerOptions { Name = "bk1", EndPoint = IPEndPoint.Parse("10.0.0.2:1"), Backup = true },
            new ServerOptions { Name = "bk2", EndPoint = IPEndPoint.Parse("10.0.0.3:1"), Backup = true });
        var client = IPAddress.Parse("192.0.2.1");
        Assert.Equal("a", Pick(backend, client)!.Name);
        ServerSet.SetUp(backend, 0, up: false);
        Assert.Equal("bk1", Pick(backend, client)!.Name);
        ServerSet.SetUp(backend, 1, up: false);
        Assert.Equal("bk2", Pick(backend, client)!.Name);
        ServerSet.SetUp(backend, 2, up: false);
        Assert.Null(Pick(backend, client));
    }

    private static ProxyServer? Pick(ProxyBackend backend, IPAddress client, ulong excluded = 0)
        => backend.Balancer.Pick(ClientKey.From(client), excluded);
}
