using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

/// <summary>
/// Backends that accept and then misbehave (issue 15, fault suite): silent, resetting, half-closing. What the client
/// sees is bounded by the configured timeouts, and the counters say why each session ended.
/// </summary>
public sealed class MisbehavingBackendTests
{
    [Fact]
    public async Task ASilentBackend_EndsTheSessionAtTheServerTimeout_AsServerTimeout_WhileOtherSessionsFlow()
    {
        await using var silent = new SinkServer();
        await using var echo = new EchoServer();
        var serverTimeout = TimeSpan.FromMilliseconds(500);
        var silentBackend = TestProxy.Backend("silent", silent.EndPoint);
        silentBackend.ServerTimeout = serverTimeout;
        var echoBackend = TestProxy.Backend("echo", echo.EndPoint);
        echoBackend.ServerTimeout = TimeSpan.FromSeconds(30);
        var options = new ProxyOptions
        {
            Frontends = [Frontend("silent"), Frontend("echo")],
            Backends = [silentBackend, echoBackend],
        };
        await using var proxy = await TestProxy.StartAsync(options);
        using var healthy = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("echo"));
        await RoundTripAsync(healthy, 0);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("silent"));

        // Started before the request leaves, so the proxy's server timer (armed when it wrote the request) cannot
        // have run longer than the watch.
        var watch = Stopwatch.StartNew();
        await client.SendAsync(Encoding.ASCII.GetBytes("request"));
        var closed = TestProxy.ClosedByPeerAsync(client, 15000);
        var rounds = 0;
        while (!closed.IsCompleted)
        {
            // The other session keeps its round trips going while this one waits for its answer.
            await RoundTripAsync(healthy, (byte)++rounds);
            await Task.WhenAny(closed, Task.Delay(20));
        }

        Assert.True(await closed, "the proxy ended the session the backend never answered");
        Assert.InRange(watch.ElapsedMilliseconds, (long)serverTimeout.TotalMilliseconds - 50, 5000);
        await Wait.UntilAsync(() => silent.Received == 7, "the request reached the silent server");
        await silent.PeerClosed.Task.WaitAsync(TimeSpan.FromSeconds(5)); // the server side was closed too
        var counters = Counters(proxy, "silent");
        await Wait.UntilAsync(() => counters.Closed(CloseReason.ServerTimeout) == 1 && counters.Active == 0, "recorded as a server timeout");
        Assert.Equal(1, CloseReasons.All.Sum(counters.Closed));

        await RoundTripAsync(healthy, 255);
        var other = Counters(proxy, "echo");
        Assert.Equal(1, other.Active);
        Assert.Equal(0, CloseReasons.All.Sum(other.Closed));
        Assert.True(rounds > 0, "the healthy session made round trips while the other one waited");
    }

    [Fact]
    public async Task ABackendResettingAfterTheHandshake_ClosesEachClient_CountsWhy_AndStaysUp()
    {
        // The reset races the proxy's connect event: seen during the handshake it is a refused attempt (retried), seen
        // after it the session is established and ends as a server reset (never replayed: bytes may have reached the
        // server). Either way the client is closed at once, and the counters add up.
        await using var resetting = FaultyServer.ResettingAfterHandshake();
        var backend = TestProxy.Backend("be", resetting.EndPoint);
        backend.Retries = 3;
        backend.Redispatch = true;
        // Unchecked, so only passive health could change its state: an active check's own connect may see the reset
        // in time or not, and would mark the server down by chance.
        backend.Servers[0].Check = false;
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend);
        const int Clients = 5;
        for (var i = 0; i < Clients; i++)
        {
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
            await SendIgnoringResetAsync(client, (byte)i);
            // A session whose every attempt is refused waits one turn-around (1 s) per same-server retry.
            Assert.True(await TestProxy.ClosedByPeerAsync(client, 15000), $"client {i} was closed, not left hanging");
        }

        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Active == 0 && fe.Closed(CloseReason.ServerReset) + fe.Closed(CloseReason.ConnectFailed) == Clients,
            $"every session ended as a server reset or a failed connect ({Describe(fe)})");
        var server = proxy.GetServerStatus().Single();
        Assert.Equal(fe.Closed(CloseReason.ServerReset), server.Counters.Total);
        // Each refused attempt but the last of a session that never connected was retried.
        Assert.Equal(server.Counters.ConnectRefused, server.Counters.Retries + fe.Closed(CloseReason.ConnectFailed));
        Assert.Equal(Clients, CloseReasons.All.Sum(fe.Closed));

        // Passive health: neither a failed connect nor a reset of an established session changes the state by itself.
        Assert.True(server.Usable, "resets do not mark the server down");
        Assert.Equal(0, server.Counters.DownTransitions);
    }

    [Fact]
    public async Task ABackendResettingAfterTheHandshake_IsRedispatchedAway_WhenCaughtInTheHandshake_AndCountedEitherWay()
    {
        await using var resetting = FaultyServer.ResettingAfterHandshake();
        await using var live = new EchoServer();
        var backend = TestProxy.Backend("be", resetting.EndPoint, live.EndPoint);
        backend.Retries = 2;
        backend.Redispatch = true;
        backend.Servers[0].Check = false; // stays a candidate: a check seeing the reset would take it out by chance
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), backend, o => o.GroupServersByHost = false);
        const int Clients = 20;
        var echoed = 0;
        var closed = 0;
        for (var i = 1; i <= Clients; i++)
        {
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"), IPAddress.Parse($"127.0.0.{i}"));
            await SendIgnoringResetAsync(client, (byte)i);
            try
            {
                Assert.Equal((byte)i, (await TestProxy.ReadExactlyAsync(client, 1, 10000))[0]);
                echoed++;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                closed++;
            }
        }

        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ServerReset) == closed, "every closed client recorded as a server reset");
        var bad = proxy.GetServerStatus().Single(s => s.Server == "s1").Counters;
        var good = proxy.GetServerStatus().Single(s => s.Server == "s2").Counters;
        Assert.True(bad.Total + bad.ConnectRefused > 0, "some clients hashed to the resetting server first");
        Assert.Equal(closed, bad.Total);
        Assert.Equal(echoed, good.Total);
        Assert.Equal(0, fe.Closed(CloseReason.ConnectFailed));
        Assert.Equal(bad.ConnectRefused, proxy.GetBackendCounters("be")!.Redispatches);
        Assert.True(proxy.GetServerStatus().Single(s => s.Server == "s1").Usable, "resets do not mark the server down");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABackendHalfClosingAfterItsData_DeliversAllOfItAndTheEof_TheClientStillSends_AndTheSessionEndsWhenTheClientCloses(bool splice)
    {
        var reply = new byte[1 << 20];
        new Random(15).NextBytes(reply);
        await using var server = SinkServer.ReplyingThenClosing(reply);
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", server.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));

        var received = await TestProxy.ReadExactlyAsync(client, reply.Length);
        Assert.True(reply.AsSpan().SequenceEqual(received), "the server's data arrived whole");
        using (var eof = new CancellationTokenSource(10000))
        {
            Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None, eof.Token));
        }

        var request = new byte[300_000];
        new Random(16).NextBytes(request);
        await client.SendAsync(request);
        await Wait.UntilAsync(() => server.Received == request.Length, "everything sent after the server's FIN arrives");
        var fe = proxy.GetFrontendStatus().Single().Counters;
        Assert.Equal(1, fe.Active);

        client.Shutdown(SocketShutdown.Send);
        await server.PeerClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fe.Active == 0, "the session closed once both sides had");
        Assert.Equal(1, fe.Closed(CloseReason.ServerClosed));
        Assert.Equal(1, CloseReasons.All.Sum(fe.Closed));
        Assert.Equal(request.Length, fe.BytesIn);
        Assert.Equal(reply.Length, fe.BytesOut);
    }

    private static string Describe(Counters.FrontendCounters counters) =>
        $"active {counters.Active}, " + string.Join(", ", CloseReasons.All.Where(r => counters.Closed(r) > 0).Select(r => $"{r} {counters.Closed(r)}"));

    private static FrontendOptions Frontend(string name)
    {
        var frontend = TestProxy.Frontend(name, name);
        frontend.ClientTimeout = TimeSpan.FromSeconds(30);
        return frontend;
    }

    private static Counters.FrontendCounters Counters(ProxyRuntime proxy, string frontend) =>
        proxy.GetFrontendStatus().Single(f => f.Frontend == frontend).Counters;

    private static async Task RoundTripAsync(Socket socket, byte value)
    {
        await socket.SendAsync(new[] { value });
        Assert.Equal(value, (await TestProxy.ReadExactlyAsync(socket, 1))[0]);
    }

    /// <summary>The proxy may already have closed the client when the byte goes out.</summary>
    private static async Task SendIgnoringResetAsync(Socket client, byte value)
    {
        try
        {
            await client.SendAsync(new[] { value });
        }
        catch (SocketException)
        {
        }
    }
}
