using System.Diagnostics;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

public sealed class TimeoutTests
{
    [Fact]
    public async Task IdleClient_IsCutAfterTheClientTimeout()
    {
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.ClientTimeout = TimeSpan.FromMilliseconds(300);
        var be = TestProxy.Backend("be", echo.EndPoint);
        be.ServerTimeout = TimeSpan.FromSeconds(30);
        await using var proxy = await TestProxy.StartAsync(fe, be);
        await AssertCutAsync(proxy, CloseReason.ClientTimeout, minMs: 250, maxMs: 3000);
    }

    [Fact]
    public async Task IdleServer_IsCutAfterTheServerTimeout()
    {
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.ClientTimeout = TimeSpan.FromSeconds(30);
        var be = TestProxy.Backend("be", echo.EndPoint);
        be.ServerTimeout = TimeSpan.FromMilliseconds(300);
        await using var proxy = await TestProxy.StartAsync(fe, be);
        await AssertCutAsync(proxy, CloseReason.ServerTimeout, minMs: 250, maxMs: 3000);
    }

    [Fact]
    public async Task TunnelTimeout_ReplacesClientAndServerTimeoutsOnceConnected()
    {
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.ClientTimeout = TimeSpan.FromMilliseconds(100);
        var be = TestProxy.Backend("be", echo.EndPoint);
        be.ServerTimeout = TimeSpan.FromMilliseconds(100);
        be.TunnelTimeout = TimeSpan.FromMilliseconds(1000);
        await using var proxy = await TestProxy.StartAsync(fe, be);
        await AssertCutAsync(proxy, CloseReason.TunnelTimeout, minMs: 900, maxMs: 4000);
    }

    [Fact]
    public async Task ClientFinTimeout_BoundsAHalfClosedSessionWhoseServerNeverCloses()
    {
        await using var sink = new SinkServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.ClientTimeout = TimeSpan.FromSeconds(30);
        fe.ClientFinTimeout = TimeSpan.FromMilliseconds(300);
        var be = TestProxy.Backend("be", sink.EndPoint);
        be.ServerTimeout = TimeSpan.FromSeconds(30);
        await using var proxy = await TestProxy.StartAsync(fe, be);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        // Started before the FIN leaves, so the proxy's timer cannot have run longer than the watch (a test thread
        // preempted after the shutdown would otherwise see the cut early).
        var watch = Stopwatch.StartNew();
        client.Shutdown(SocketShutdown.Send);
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000), "the proxy closed the half-open session");
        Assert.InRange(watch.ElapsedMilliseconds, 250, 4000);
        var counters = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => counters.Closed(CloseReason.ClientTimeout) == 1, "recorded as a client(-fin) timeout");
        await sink.PeerClosed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TrafficKeepsASessionAlive_BeyondTheInactivityTimeout()
    {
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        var timeout = TimeSpan.FromMilliseconds(1500);
        fe.ClientTimeout = timeout;
        var be = TestProxy.Backend("be", echo.EndPoint);
        be.ServerTimeout = timeout;
        await using var proxy = await TestProxy.StartAsync(fe, be);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        // A byte every 250 ms for twice the timeout: a loaded machine may stretch a gap well beyond 250 ms, but the
        // timeout leaves 1.25 s for that, and the session still outlives its timeout by far.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < 2 * timeout)
        {
            await Task.Delay(250);
            await client.SendAsync(new byte[] { 1 });
            await TestProxy.ReadExactlyAsync(client, 1);
        }

        Assert.Equal(1, proxy.GetFrontendStatus().Single().Counters.Active);
    }

    private static async Task AssertCutAsync(ProxyRuntime proxy, CloseReason expected, int minMs, int maxMs)
    {
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        // Started before the last traffic, so the proxy's inactivity timer (armed when the echo passed it) cannot have
        // run longer than the watch: reading the echo late on a loaded machine would otherwise shorten the interval.
        var watch = Stopwatch.StartNew();
        await client.SendAsync(new byte[] { 42 });
        await TestProxy.ReadExactlyAsync(client, 1);
        Assert.True(await TestProxy.ClosedByPeerAsync(client, maxMs + 2000), "the proxy closed the idle session");
        Assert.InRange(watch.ElapsedMilliseconds, minMs, maxMs);
        var counters = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => counters.Closed(expected) == 1, $"recorded as {expected}");
    }
}
