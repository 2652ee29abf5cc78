using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task FrontendMaxConn_ExcessConnectionWaitsInTheBacklog_ThenIsServed()
    {
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.MaxConnections = 2;
        await using var proxy = await TestProxy.StartAsync(fe, Unchecked(echo));
        var endPoint = proxy.GetFrontendEndPoint("fe");
        using var first = await TestProxy.ConnectAsync(endPoint);
        using var second = await TestProxy.ConnectAsync(endPoint);
        await Wait.UntilAsync(() => echo.Accepted == 2, "two sessions reach the server");

        // The kernel completes the handshake; the proxy does not accept, so nothing reaches the server.
        using var third = await TestProxy.ConnectAsync(endPoint);
        await third.SendAsync(new byte[] { 3 });
        await Task.Delay(300);
        Assert.Equal(2, echo.Accepted);
        Assert.Equal(1, proxy.GetFrontendStatus().Single().Counters.LimitPauses);

        first.Dispose();
        Assert.Equal(new byte[] { 3 }, await TestProxy.ReadExactlyAsync(third, 1, 5000));
        Assert.Equal(3, echo.Accepted);
    }

    [Fact]
    public async Task GlobalMaxConn_BindsAcrossFrontends()
    {
        await using var echo = new EchoServer();
        var options = new CloudCoreLb.L4Proxy.Options.ProxyOptions
        {
            MaxConnections = 1,
            Frontends = [TestProxy.Frontend("a", "be"), TestProxy.Frontend("b", "be")],
            Backends = [Unchecked(echo)],
        };
        await using var proxy = await TestProxy.StartAsync(options);
        using var first = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("a"));
        await Wait.UntilAsync(() => echo.Accepted == 1, "first session up");
        using var second = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("b"));
        await second.SendAsync(new byte[] { 7 });
        await Task.Delay(300);
        Assert.Equal(1, echo.Accepted);
        first.Shutdown(SocketShutdown.Both);
        first.Dispose();
        Assert.Equal(new byte[] { 7 }, await TestProxy.ReadExactlyAsync(second, 1, 5000));
    }

    /// <summary>No active checks, so the echo server's accept count is exactly the proxied sessions.</summary>
    private static CloudCoreLb.L4Proxy.Options.BackendOptions Unchecked(EchoServer echo)
    {
        var backend = TestProxy.Backend("be", echo.EndPoint);
        backend.Servers[0].Check = false;
        return backend;
    }
}
