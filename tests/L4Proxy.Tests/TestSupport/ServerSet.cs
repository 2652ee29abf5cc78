using System.Net;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>Builds backends with runtime servers for balancer unit tests (no sockets, no checks).</summary>
internal static class ServerSet
{
    public static ProxyBackend Backend(BalanceAlgorithm balance, params (string Name, string EndPoint, int Weight)[] servers)
        => Backend(balance, groupByHost: true, servers.Select(s => new ServerOptions { Name = s.Name, EndPoint = IPEndPoint.Parse(s.EndPoint), Weight = s.Weight }).ToArray());

    public static ProxyBackend Backend(BalanceAlgorithm balance, bool groupByHost, params ServerOptions[] servers)
    {
        foreach (var s in servers)
        {
            // Unit tests start every server up.
            s.InitialState = HealthCheck.HealthInitialState.Up;
        }

        return new ProxyBackend(
            new BackendOptions { Name = "be", Balance = balance, Servers = servers.ToList() },
            groupByHost ? HostGroup.PerAddress() : null);
    }

    public static ProxyBackend Three(BalanceAlgorithm balance = BalanceAlgorithm.Source)
        => Backend(balance, ("cc1", "10.0.0.1:10000", 1), ("cc2", "10.0.0.2:10000", 1), ("cc3", "10.0.0.3:10000", 1));

    public static void SetUp(ProxyBackend backend, int index, bool up)
    {
        backend.Servers[index].SetCheckUp(up);
        backend.Balancer.Rebuild();
    }

    public static IPAddress RandomIPv4(Random random)
    {
        Span<byte> b = stackalloc byte[4];
        random.NextBytes(b);
        return new IPAddress(b);
    }

    public static IPAddress RandomIPv6(Random random)
    {
        Span<byte> b = stackalloc byte[16];
        random.NextBytes(b);
        b[0] = 0x20;
        return new IPAddress(b);
    }
}
