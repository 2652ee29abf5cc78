using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

public sealed class FailoverTests
{
    [Fact]
    public async Task BackendKilledMidRun_NoNewConnectFails()
    {
        await using var a = new EchoServer();
        await using var b = new EchoServer();
        await using var c = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"),
            TestProxy.Backend("be", a.EndPoint, b.EndPoint, c.EndPoint), o => o.GroupServersByHost = false);
        var endPoint = proxy.GetFrontendEndPoint("fe");
        var failures = 0;
        for (var i = 0; i < 300; i++)
        {
            if (i == 50)
            {
                b.Kill();
            }

            var source = IPAddress.Parse($"127.0.{1 + (i / 250)}.{1 + (i % 250)}");
            try
            {
                using var client = await TestProxy.ConnectAsync(endPoint, source);
                await client.SendAsync(new byte[] { (byte)i });
                var echoed = await TestProxy.ReadExactlyAsync(client, 1, 5000);
                if (echoed[0] != (byte)i)
                {
                    failures++;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                failures++;
            }
        }

        Assert.Equal(0, failures);
        var s2 = proxy.GetServerStatus().Single(s => s.Server == "s2");
        await Wait.UntilAsync(() => s2.Counters.DownTransitions == 1, "the killed server is marked down");
        Assert.False(proxy.GetServerStatus().Single(s => s.Server == "s2").Usable);
    }

    [Fact]
    public async Task RefusedConnect_IsRetriedAndRedispatchedToTheNextServer_AndCounted()
    {
        await using var live = new EchoServer();
        var dead = TestProxy.ClosedPort();
        var backend = TestProxy.Backend("be", dead, live.EndPoint);
        backend.Servers[0].Check = false; // always "up": only passive failures reveal it
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend, o => o.GroupServersByHost = false);
        for (var i = 1; i <= 20; i++)
        {
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"), IPAddress.Parse($"127.0.0.{i}"));
            await client.SendAsync(new byte[] { 1 });
            await TestProxy.ReadExactlyAsync(client, 1, 5000);
        }

        var deadStatus = proxy.GetServerStatus().Single(s => s.Server == "s1");
        Assert.True(deadStatus.Counters.ConnectRefused > 0, "some clients hashed to the dead server first");
        var be = proxy.GetBackendCounters("be")!;
        Assert.Equal(deadStatus.Counters.ConnectRefused, be.Redispatches);
        Assert.Equal(20, proxy.GetServerStatus().Single(s => s.Server == "s2").Counters.Total);
    }

    [Fact]
    public async Task BlackholedServer_ConnectTimesOut_AndTheClientIsRedispatched()
    {
        // A listener whose accept queue is full drops further SYNs: a loopback stand-in for a dead host.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(0);
        var fillers = Enumerable.Range(0, 4).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            var connects = fillers.Select(f => f.ConnectAsync(blackhole.LocalEndPoint!)).ToList();
            // One filler completed its handshake: the queue (backlog 0) is full from then on. Checked, not assumed: a
            // connect that completes now would mean the blackhole answers, and the test would prove nothing.
            await Task.WhenAny(connects).WaitAsync(TimeSpan.FromSeconds(30));
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                var answered = probe.ConnectAsync(blackhole.LocalEndPoint!);
                Assert.False(await Task.WhenAny(answered, Task.Delay(200)) == answered, "the full listener still completed a handshake");
            }
            await using var live = new EchoServer();
            var backend = TestProxy.Backend("be", (IPEndPoint)blackhole.LocalEndPoint!, live.EndPoint);
            backend.Servers[0].Check = false;
            backend.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend, o => o.GroupServersByHost = false);
            for (var i = 1; i <= 8; i++)
            {
                using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"), IPAddress.Parse($"127.0.0.{i}"));
                await client.SendAsync(new byte[] { 1 });
                await TestProxy.ReadExactlyAsync(client, 1, 5000);
            }

            var dead = proxy.GetServerStatus().Single(s => s.Server == "s1").Counters;
            Assert.True(dead.ConnectTimeouts > 0, $"some clients hashed to the blackholed server first: timeouts {dead.ConnectTimeouts}, refused {dead.ConnectRefused}, other {dead.ConnectOtherErrors}, total {dead.Total}");
            Assert.Equal(dead.ConnectTimeouts, proxy.GetBackendCounters("be")!.Redispatches);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task PassiveConnectFailure_PullsTheCheckForward_SoTheServerGoesDownLongBeforeInter()
    {
        await using var a = new EchoServer();
        await using var b = new EchoServer();
        var backend = TestProxy.Backend("be", a.EndPoint, b.EndPoint);
        backend.Health.Inter = TimeSpan.FromSeconds(30);
        backend.Health.Fall = 1;
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend, o => o.GroupServersByHost = false);
        a.Kill();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 10; i++)
        {
            // Some of these hash to the dead server: each one is redispatched and reported as a passive failure.
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"), IPAddress.Parse($"127.0.0.{i}"));
            await client.SendAsync(new byte[] { 1 });
            await TestProxy.ReadExactlyAsync(client, 1, 5000);
        }

        await Wait.UntilAsync(() => !proxy.GetServerStatus().Single(s => s.Server == "s1").Usable, "s1 marked down by a pulled-forward check");
        Assert.InRange(watch.ElapsedMilliseconds, 0, 10_000);
        Assert.Equal("L4CON", proxy.GetServerStatus().Single(s => s.Server == "s1").LastCheckStatus);
    }

    [Fact]
    public async Task NoUsableServer_ClientIsClosedAtOnce_AsNoServer()
    {
        var backend = TestProxy.Backend("be", TestProxy.ClosedPort());
        await using var proxy = await TestProxy.StartAsync(new ProxyOptions { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [backend] }, waitForServers: false);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 3000));
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.NoServer) == 1, "recorded as no server");
    }

    [Fact]
    public async Task OnMarkedDownShutdownSessions_AbortsTheDeadServersSessions()
    {
        await using var echo = new EchoServer();
        var backend = TestProxy.Backend("be", echo.EndPoint);
        backend.OnMarkedDownShutdownSessions = true;
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync(new byte[] { 1 });
        await TestProxy.ReadExactlyAsync(client, 1);

        echo.StopListening(); // checks now fail; the session itself is healthy
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000));
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ServerMarkedDown) == 1, "recorded as server marked down");
    }

    [Fact]
    public async Task WithoutShutdownSessions_EstablishedSessionsSurviveTheirServerGoingDown()
    {
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint));
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync(new byte[] { 8 });
        await TestProxy.ReadExactlyAsync(client, 1); // the session reached the server
        echo.StopListening();
        await Wait.UntilAsync(() => !proxy.GetServerStatus().Single().Usable, "server marked down");
        await client.SendAsync(new byte[] { 9 });
        Assert.Equal(new byte[] { 9 }, await TestProxy.ReadExactlyAsync(client, 1));
    }

    [Fact]
    public async Task DistinctClientAddresses_LandWhereTheBalancerSays_AndOnTheSameHostOnEveryPort()
    {
        // Three "hosts" on 127.0.0.2-4, each with a hub and a stream port; the greeting names the host.
        var hosts = new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
        var hub = hosts.Select(h => new EchoServer(IPAddress.Parse(h), greeting: h)).ToArray();
        var stream = hosts.Select(h => new EchoServer(IPAddress.Parse(h), greeting: h)).ToArray();
        try
        {
            var options = new ProxyOptions
            {
                Frontends = [TestProxy.Frontend("hub", "hub"), TestProxy.Frontend("stream", "stream")],
                Backends = [TestProxy.Backend("hub", hub.Select(s => s.EndPoint).ToArray()), TestProxy.Backend("stream", stream.Select(s => s.EndPoint).Reverse().ToArray())],
            };
            await using var proxy = await TestProxy.StartAsync(options);
            var balancer = proxy.GetBackend("hub").Balancer;
            var seen = new HashSet<string>();
            for (var i = 10; i < 40; i++)
            {
                var source = IPAddress.Parse($"127.0.0.{i}");
                using var h = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("hub"), source);
                using var s = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("stream"), source);
                var hubHost = await TestProxy.ReadLineAsync(h);
                Assert.Equal(hubHost, await TestProxy.ReadLineAsync(s));
                Assert.Equal(balancer.Pick(ClientKey.From(source), 0)!.EndPoint.Address.ToString(), hubHost);
                seen.Add(hubHost);
            }

            Assert.Equal(3, seen.Count);
        }
        finally
        {
            foreach (var s in hub.Concat(stream))
            {
                await s.DisposeAsync();
            }
        }
    }
}
