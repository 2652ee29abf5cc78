using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Balancing;

/// <summary>A drained or maintained server leaves every balancer exactly as a down one does.</summary>
public sealed class AdminStateBalancingTests
{
    private const int Clients = 5_000;

    [Theory]
    [InlineData(ServerAdminState.Drain)]
    [InlineData(ServerAdminState.Maint)]
    public void SourceHash_ADrainedServer_MovesOnlyItsOwnClients_TheSameWayAsADownOne(ServerAdminState state)
    {
        var clients = RandomClients(3);
        var drained = ServerSet.Three();
        var down = ServerSet.Three();
        var before = clients.Select(c => Pick(drained, c)!.Index).ToArray();

        drained.Servers[1].AdminState = state;
        drained.Balancer.Rebuild();
        ServerSet.SetUp(down, 1, up: false);

        for (var i = 0; i < clients.Length; i++)
        {
            var now = Pick(drained, clients[i])!.Index;
            Assert.NotEqual(1, now);
            Assert.Equal(Pick(down, clients[i])!.Index, now);
            if (before[i] != 1)
            {
                Assert.Equal(before[i], now);
            }
        }
    }

    [Fact]
    public void SourceHash_AServerBackToReady_GetsExactlyItsClientsBack()
    {
        var backend = ServerSet.Three();
        var clients = RandomClients(5);
        var before = clients.Select(c => Pick(backend, c)!.Index).ToArray();

        backend.Servers[2].AdminState = ServerAdminState.Drain;
        backend.Balancer.Rebuild();
        backend.Servers[2].AdminState = ServerAdminState.Ready;
        backend.Balancer.Rebuild();

        Assert.Equal(before, clients.Select(c => Pick(backend, c)!.Index).ToArray());
    }

    [Theory]
    [InlineData(BalanceAlgorithm.RoundRobin)]
    [InlineData(BalanceAlgorithm.LeastConn)]
    [InlineData(BalanceAlgorithm.Source)]
    [InlineData(BalanceAlgorithm.SourceMapBased)]
    public void EveryAlgorithm_NeverPicksADrainedServer(BalanceAlgorithm balance)
    {
        var backend = ServerSet.Three(balance);
        backend.Servers[0].AdminState = ServerAdminState.Drain;
        backend.Balancer.Rebuild();

        foreach (var client in RandomClients(9).Take(300))
        {
            Assert.NotEqual(0, Pick(backend, client)!.Index);
        }
    }

    [Fact]
    public void ADrainedServer_IsNotUsable_ButItsHealthStaysWhatItsCheckSays()
    {
        var backend = ServerSet.Three();
        var server = backend.Servers[0];

        server.AdminState = ServerAdminState.Drain;

        Assert.False(server.IsUsable);
        Assert.True(server.HealthUp);
        Assert.Equal(2, backend.UsableServers());
    }

    [Fact]
    public void EveryServerDrained_NoServerIsPicked()
    {
        var backend = ServerSet.Three();
        foreach (var server in backend.Servers)
        {
            server.AdminState = ServerAdminState.Drain;
        }

        backend.Balancer.Rebuild();

        Assert.Null(Pick(backend, RandomClients(1)[0]));
        Assert.False(backend.HasUsableServer());
    }

    private static System.Net.IPAddress[] RandomClients(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Clients).Select(_ => ServerSet.RandomIPv4(random))];
    }

    private static ProxyServer? Pick(ProxyBackend backend, System.Net.IPAddress client) =>
        backend.Balancer.Pick(CloudCoreLb.L4Proxy.Balancing.ClientKey.From(client), 0);
}
