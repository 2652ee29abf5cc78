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

    [Fact]
    public async Task ABurstFromManyFlows_IsDeliveredWhole_InOrderPerFlow_AndCountedOnceEachWay()
    {
        // Bursts fill the frontend's receive batch with several flows' datagrams (runs of one flow go out in one
        // sendmmsg) and several flows' replies land in one reply batch. 16 flows x 8 in flight stays far below the
        // sockets' default receive buffers, so loopback loses nothing and every datagram must arrive.
        StartServers(3);
        var runtime = await StartAsync();
        var clients = Enumerable.Range(1, 16).Select(i => Client(runtime, IPAddress.Parse($"127.0.8.{i}"))).ToArray();
        const int Waves = 5;
        const int PerWave = 8;
        long bytes = 0;
        for (var wave = 0; wave < Waves; wave++)
        {
            for (var i = 0; i < clients.Length; i++)
            {
                for (var j = 0; j < PerWave; j++)
                {
                    var payload = $"{i}:{(wave * PerWave) + j}:" + new string('x', j * 50);
                    bytes += payload.Length;
                    clients[i].Send(payload);
                }
            }

            for (var i = 0; i < clients.Length; i++)
            {
                for (var j = 0; j < PerWave; j++)
                {
                    var reply = await clients[i].ReceiveAsync(10_000);
                    Assert.NotNull(reply);
                    Assert.StartsWith($"{i}:{(wave * PerWave) + j}:", reply[(reply.IndexOf('|') + 1)..], StringComparison.Ordinal);
                }
            }
        }

        var status = runtime.GetUdpFrontendStatus().Single();
        const int Total = 16 * Waves * PerWave;
        Assert.Equal(Total, status.Datagrams.DatagramsIn);
        Assert.Equal(Total, status.Datagrams.DatagramsOut);
        Assert.Equal(bytes, status.Counters.BytesIn);
        Assert.All(UdpCounters.DropReasons, r => Assert.Equal(0, status.Datagrams.Dropped(r)));
        Assert.Equal(16, status.Flows);
        Assert.Equal(16, status.Counters.Total);
        Assert.Equal(Total, _servers.Sum(s => s.Received));
    }

    [Fact]
    public async Task OversizeDatagramsInsideABurst_AreDroppedAlone_EitherWay_AndTheRestOfTheFlowKeepsItsOrder()
    {
        StartServers(3);
        var runtime = await StartAsync(configure: f => f.Udp.MaxDatagramSize = 1400);
        var client = Client(runtime, IPAddress.Parse("127.0.9.1"));
        var server = await client.ServedByAsync();
        await client.DrainAsync();
        var prefix = server.Length + 1;

        // QUIC-sized datagrams whose echo (server address, '|', payload) fits, except: #10 is too large on the way in,
        // #20 fits on the way in but its echo is too large on the way back.
        var expected = new List<int>();
        for (var k = 0; k < 32; k++)
        {
            var size = k switch { 10 => 1401, 20 => 1400 - prefix + 1, _ => 1400 - prefix };
            var head = $"{k}:";
            client.Send(head + new string((char)('a' + (k % 26)), size - head.Length));
            if (k is not 10 and not 20)
            {
                expected.Add(k);
            }
        }

        foreach (var k in expected)
        {
            var reply = await client.ReceiveAsync(10_000);
            Assert.NotNull(reply);
            Assert.Equal(1400, reply.Length);
            var payload = reply[prefix..];
            Assert.Equal($"{k}:", payload[..payload.IndexOf(':', StringComparison.Ordinal)] + ":");
            Assert.All(payload[(payload.IndexOf(':', StringComparison.Ordinal) + 1)..], c => Assert.Equal((char)('a' + (k % 26)), c));
        }

        var status = runtime.GetUdpFrontendStatus().Single();
        await Wait.UntilAsync(() => status.Datagrams.Dropped(UdpDrop.Oversize) == 2, "one oversize datagram counted each way");
        Assert.Equal(0, status.Datagrams.Dropped(UdpDrop.SendError));
    }

    [Fact]
    public async Task TheFlowList_ShowsEveryFlowWithTheServerItReaches_MostRecentlyActiveFirst_CutAtTheAskedNumber()
    {
        StartServers(3);
        var runtime = await StartAsync();
        var servedBy = new Dictionary<string, string>();
        foreach (var i in Enumerable.Range(1, 6))
        {
            var client = Client(runtime, IPAddress.Parse($"127.0.10.{i}"));
            servedBy[client.LocalEndPoint.ToString()] = await client.ServedByAsync();
        }

        var list = await runtime.GetUdpFlowsAsync(10, TimeSpan.FromSeconds(30));

        Assert.Equal(6, list.Totals["quic"]);
        Assert.Equal(servedBy.Keys.Order(), list.Flows.Select(f => f.Client.ToString()).Order());
        Assert.Equal(list.Flows.Select(f => f.Idle).Order(), list.Flows.Select(f => f.Idle));
        var servers = runtime.GetServerStatus().Where(s => s.Backend == "quic").ToDictionary(s => s.Server, s => s.EndPoint.ToString());
        Assert.All(list.Flows, f =>
        {
            Assert.Equal("quic", f.Frontend);
            Assert.Equal("quic", f.Backend);
            Assert.Equal(servedBy[f.Client.ToString()], servers[f.Server!]);
            Assert.True(f.Idle >= TimeSpan.Zero);
        });

        var cut = await runtime.GetUdpFlowsAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal(list.Flows.Take(2).Select(f => f.Client), cut.Flows.Select(f => f.Client));
        Assert.Equal(6, cut.Totals["quic"]);
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
