using System.Net;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Udp;

/// <summary>Real datagrams on loopback: CloudCore stand-ins on 127.0.0.2-4, clients from 127.0.1.x.</summary>
public sealed class UdpForwardingTests : IAsyncLifetime
{
    private static readonly IPAddress[] Hosts = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.4")];
    private readonly List<UdpEchoServer> _servers = [];
    private readonly Dictionary<string, FakeProbe> _probes = [];
    private readonly List<IDisposable> _clients = [];
    private ProxyRuntime? _runtime;
    private int _port;

    public Task InitializeAsync()
    {
        var first = new UdpEchoServer(new IPEndPoint(Hosts[0], 0));
        _port = first.EndPoint.Port;
        _servers.Add(first);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task EveryClientsFlow_LandsOnTheHostItsTcpSessionsAreHashedTo()
    {
        StartServers(3);
        var runtime = await StartAsync();
        var tcp = runtime.GetBackend("hub");
        for (var i = 1; i <= 40; i++)
        {
            var source = IPAddress.Parse($"127.0.1.{i}");
            var servedBy = await Client(runtime, source).ServedByAsync();
            var tcpHost = tcp.Balancer.Pick(ClientKey.From(source), 0)!.EndPoint.Address;
            Assert.Equal(new IPEndPoint(tcpHost, _port).ToString(), servedBy);
        }

        Assert.Equal(40, runtime.GetUdpFrontendStatus().Single().Flows);
        Assert.True(_servers.All(s => s.Received > 0), "40 clients spread over all three hosts");
    }

    [Fact]
    public async Task AHostDownOnItsTcpCheck_MovesOnlyTheFlowsItServed_TheOthersKeepTheirServerSocket()
    {
        StartServers(3);
        var runtime = await StartAsync();
        var clients = Enumerable.Range(1, 30).Select(i => Client(runtime, IPAddress.Parse($"127.0.2.{i}"))).ToArray();
        var before = new string[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            before[i] = await clients[i].ServedByAsync();
        }

        var dead = new IPEndPoint(Hosts[1], _port).ToString();
        Assert.Contains(dead, before);
        var peersBefore = _servers.Select(s => s.Peers.Count).ToArray();

        _probes[new IPEndPoint(Hosts[1], 10000).ToString()].Healthy = false;
        await Wait.UntilAsync(() => !runtime.GetBackend("quic").Servers[1].IsUsable, "the UDP server of the host whose TCP check fails is down");

        var movedTo = new Dictionary<string, int>();
        for (var i = 0; i < clients.Length; i++)
        {
            var after = await clients[i].ServedByAsync();
            if (before[i] == dead)
            {
                Assert.NotEqual(dead, after);
                movedTo[after] = movedTo.GetValueOrDefault(after) + 1;
            }
            else
            {
                Assert.Equal(before[i], after);
            }
        }

        // The flows that stayed kept their proxy-side socket: a live server saw new peers only for the flows moved to it.
        foreach (var i in new[] { 0, 2 })
        {
            Assert.Equal(peersBefore[i] + movedTo.GetValueOrDefault(_servers[i].EndPoint.ToString()), _servers[i].Peers.Count);
        }

        Assert.True(runtime.GetUdpFrontendStatus().Single().Datagrams.Redispatches >= before.Count(b => b == dead));
    }

    [Fact]
    public async Task APortUnreachableAnswer_RedispatchesTheFlowsNextDatagram_ToAnotherServer()
    {
        // Only the third host runs the service: the first two answer with ICMP port unreachable.
        _servers[0].Dispose();
        _servers.Clear();
        _servers.Add(new UdpEchoServer(new IPEndPoint(Hosts[2], _port)));
        var runtime = await StartAsync(groupByHost: false);
        var quic = runtime.GetBackend("quic");
        var source = Enumerable.Range(1, 250).Select(i => IPAddress.Parse($"127.0.3.{i}"))
            .First(a => quic.Balancer.Pick(ClientKey.From(a), 0)!.EndPoint.Address.Equals(Hosts[0]));

        var servedBy = await Client(runtime, source).ServedByAsync();

        Assert.Equal(_servers[0].EndPoint.ToString(), servedBy);
        var status = runtime.GetUdpFrontendStatus().Single();
        Assert.True(status.Datagrams.Redispatches >= 1);
        Assert.True(quic.Servers[0].Counters.ConnectRefused >= 1);
        Assert.Equal(1, status.Flows);
    }

    [Fact]
    public async Task AnOversizeDatagram_IsDroppedAndCounted_AZeroLengthOneIsForwarded_AndTheFlowCarriesOn()
    {
        StartServers(3);
        var runtime = await StartAsync(configure: f => f.Udp.MaxDatagramSize = 100);
        var client = Client(runtime, IPAddress.Parse("127.0.4.1"));
        var server = await client.ServedByAsync();
        await client.DrainAsync();

        client.Send(new byte[101]);
        await Wait.UntilAsync(() => runtime.GetUdpFrontendStatus().Single().Datagrams.Dropped(UdpDrop.Oversize) == 1, "the oversize datagram counted");
        client.Send([]);
        Assert.Equal(server + "|", await client.ReceiveAsync());
        // The limit holds both ways: the echo's reply (name, '|', payload) is sized to be exactly the limit too.
        client.Send(new byte[100 - server.Length - 1]);
        Assert.Equal(100, (await client.ReceiveAsync())!.Length);
    }

    [Fact]
    public async Task NewPortsFromOneAddress_AreHeldToThePerSourceLimit_AndAFullTableDropsNewFlows_WhileExistingFlowsFlow()
    {
        StartServers(3);
        var runtime = await StartAsync(configure: f =>
        {
            f.Udp.MaxFlowsPerSource = 2;
            f.Udp.MaxFlows = 3;
        });
        var source = IPAddress.Parse("127.0.5.1");
        var a = Client(runtime, source);
        var b = Client(runtime, source);
        await a.ServedByAsync();
        await b.ServedByAsync();
        var c = Client(runtime, source);
        c.Send("ping");
        Assert.Null(await c.ReceiveAsync(300));
        Assert.True(runtime.GetUdpFrontendStatus().Single().Datagrams.Dropped(UdpDrop.SourceLimit) >= 1);

        await Client(runtime, IPAddress.Parse("127.0.5.2")).ServedByAsync();
        var d = Client(runtime, IPAddress.Parse("127.0.5.3"));
        d.Send("ping");
        Assert.Null(await d.ReceiveAsync(300));
        Assert.True(runtime.GetUdpFrontendStatus().Single().Datagrams.Dropped(UdpDrop.TableFull) >= 1);

        await a.ServedByAsync();
        Assert.Equal(3, runtime.GetUdpFrontendStatus().Single().Flows);
    }

    [Fact]
    public async Task AFlowIdlePastItsTimeout_IsGoneFromStatus_AndItsServerSlotIsFreed()
    {
        StartServers(3);
        var runtime = await StartAsync(configure: f => f.Udp.IdleTimeout = TimeSpan.FromMilliseconds(300));
        await Client(runtime, IPAddress.Parse("127.0.6.1")).ServedByAsync();
        Assert.Equal(1, runtime.GetFrontendStatus().Single(f => f.Frontend == "quic").Counters.Active);

        await Wait.UntilAsync(() => runtime.GetUdpFrontendStatus().Single().Flows == 0, "the idle flow expires");
        Assert.Equal(0, runtime.GetFrontendStatus().Single(f => f.Frontend == "quic").Counters.Active);
        Assert.All(runtime.GetServerStatus().Where(s => s.Backend == "quic"), s => Assert.Equal(0, s.Counters.Active));
    }

    [Fact]
    public async Task AReload_KeepsEveryFlowAndItsServerSocket()
    {
        StartServers(3);
        var runtime = await StartAsync();
        var client = Client(runtime, IPAddress.Parse("127.0.7.1"));
        var server = await client.ServedByAsync();
        var echo = _servers.Single(s => s.EndPoint.ToString() == server);

        var bound = runtime.GetUdpFrontendStatus().Single().EndPoint;
        await runtime.ApplyAsync(Options(groupByHost: true, configure: f => f.Bind = bound));
        Assert.Equal(server, await client.ServedByAsync());

        Assert.Single(echo.Peers);
        Assert.Equal(1, runtime.GetUdpFrontendStatus().Single().Flows);
    }

    private void StartServers(int count)
    {
        for (var i = _servers.Count; i < count; i++)
        {
            _servers.Add(new UdpEchoServer(new IPEndPoint(Hosts[i], _port)));
        }
    }

    private UdpClientSocket Client(ProxyRuntime runtime, IPAddress source)
    {
        var client = new UdpClientSocket(runtime.GetUdpFrontendStatus().Single().EndPoint, source);
        _clients.Add(client);
        return client;
    }

    private async Task<ProxyRuntime> StartAsync(bool groupByHost = true, Action<FrontendOptions>? configure = null)
    {
        _runtime = new ProxyRuntime(null, null, server =>
        {
            var probe = new FakeProbe(TimeProvider.System);
            _probes[server.EndPoint.ToString()] = probe;
            return probe;
        });
        await _runtime.StartAsync(Options(groupByHost, configure), CancellationToken.None);
        await Wait.UntilAsync(() => _runtime.GetServerStatus().All(s => s.Usable), "every host's TCP check passed");
        return _runtime;
    }

    /// <summary>A TCP hub backend (checked, fake probes) and a UDP QUIC backend on the same three hosts.</summary>
    private ProxyOptions Options(bool groupByHost, Action<FrontendOptions>? configure)
    {
        BackendOptions Backend(string name, int port, ProxyProtocol protocol) => new()
        {
            Name = name,
            Protocol = protocol,
            Health = new ServerHealthDefaults { Inter = TimeSpan.FromMilliseconds(50), Rise = 1, Fall = 1 },
            Servers = Hosts.Select((h, i) => new ServerOptions { Name = $"cc{i + 1}", EndPoint = new IPEndPoint(h, port) }).ToList(),
        };

        var quic = new FrontendOptions { Name = "quic", Protocol = ProxyProtocol.Udp, Bind = new IPEndPoint(IPAddress.Loopback, 0), Backend = "quic" };
        configure?.Invoke(quic);
        return new ProxyOptions
        {
            GroupServersByHost = groupByHost,
            Threads = 2,
            Backends = [Backend("hub", 10000, ProxyProtocol.Tcp), Backend("quic", _port, ProxyProtocol.Udp)],
            Frontends = [TestProxy.Frontend("hub", "hub"), quic],
        };
    }
}
