using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests;

public sealed class ProxyRuntimeTests
{
    [Fact]
    public async Task InvalidOptions_AreRejectedWithEveryProblemListed()
    {
        var options = new ProxyOptions
        {
            MaxConnections = 0,
            Frontends = [new FrontendOptions { Name = "fe", Backend = "missing" }],
            Backends = [new BackendOptions { Name = "be", Servers = [new ServerOptions { Name = "s", Weight = 300 }] }],
        };
        await using var runtime = new ProxyRuntime();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => runtime.StartAsync(options, CancellationToken.None));
        Assert.Contains("MaxConnections", ex.Message);
        Assert.Contains("Bind is required", ex.Message);
        Assert.Contains("'missing' does not exist", ex.Message);
        Assert.Contains("EndPoint is required", ex.Message);
        Assert.Contains("Weight must be in 0-256", ex.Message);
        Assert.False(runtime.IsRunning);
    }

    [Fact]
    public void SeedLikeOptions_AreValid()
    {
        var options = new ProxyOptions
        {
            Frontends = [new FrontendOptions { Name = "fe", Bind = IPEndPoint.Parse("0.0.0.0:10010"), Backend = "be" }],
            Backends = [new BackendOptions { Name = "be", Servers = [new ServerOptions { Name = "cc1", EndPoint = IPEndPoint.Parse("10.0.0.1:10000") }] }],
        };
        Assert.Empty(ProxyOptionsValidator.Validate(options));
    }

    [Fact]
    public void TwoServersOnOneHostInABackend_NeedAHashKeyWhenGroupedByHost()
    {
        var options = new ProxyOptions
        {
            Backends = [new BackendOptions
            {
                Name = "be",
                Servers = [new ServerOptions { Name = "a", EndPoint = IPEndPoint.Parse("10.0.0.1:1") }, new ServerOptions { Name = "b", EndPoint = IPEndPoint.Parse("10.0.0.1:2") }],
            }],
        };
        Assert.Single(ProxyOptionsValidator.Validate(options));
        options.Backends[0].Servers[1].HashKey = "b";
        Assert.Empty(ProxyOptionsValidator.Validate(options));
    }

    [Fact]
    public async Task BindingAnAddressNotOnThisNode_WorksThanksToFreeBind()
    {
        // 192.0.2.0/24 (TEST-NET-1) is never configured here; without IP_FREEBIND bind() fails with EADDRNOTAVAIL.
        await using var echo = new EchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.Bind = IPEndPoint.Parse("192.0.2.77:0");
        await using var proxy = await TestProxy.StartAsync(fe, TestProxy.Backend("be", echo.EndPoint));
        Assert.Equal(IPAddress.Parse("192.0.2.77"), proxy.GetFrontendEndPoint("fe").Address);
    }

    [Fact]
    public async Task Stop_ClosesListeners_AndAbortsSessionsAfterTheGracePeriod()
    {
        await using var echo = new EchoServer();
        var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint),
            o => o.StopGracePeriod = TimeSpan.FromMilliseconds(200));
        var endPoint = proxy.GetFrontendEndPoint("fe");
        using var client = await TestProxy.ConnectAsync(endPoint);
        await client.SendAsync(new byte[] { 1 });
        await TestProxy.ReadExactlyAsync(client, 1);
        var counters = proxy.GetFrontendStatus().Single().Counters;

        await proxy.StopAsync(CancellationToken.None);
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 3000));
        Assert.Equal(1, counters.Closed(CloseReason.ProxyStopping));
        await Assert.ThrowsAsync<SocketException>(() => TestProxy.ConnectAsync(endPoint));
        await proxy.DisposeAsync();
    }

    [Fact]
    public async Task Apply_KeepsEstablishedSessionsAndListeners_AndSendsNewSessionsToTheNewServers()
    {
        await using var oldServer = new EchoServer(greeting: "old");
        await using var newServer = new EchoServer(greeting: "new");
        var fe = TestProxy.Frontend("fe", "be");
        await using var proxy = await TestProxy.StartAsync(fe, TestProxy.Backend("be", oldServer.EndPoint));
        var endPoint = proxy.GetFrontendEndPoint("fe");
        using var established = await TestProxy.ConnectAsync(endPoint);
        Assert.Equal("old", await TestProxy.ReadLineAsync(established));

        var reloaded = new ProxyOptions
        {
            Frontends = [new FrontendOptions { Name = "fe", Bind = endPoint, Backend = "be2", ClientTimeout = TimeSpan.FromSeconds(30) }],
            Backends = [TestProxy.Backend("be2", newServer.EndPoint)],
        };
        await proxy.ApplyAsync(reloaded);
        Assert.Equal(endPoint, proxy.GetFrontendEndPoint("fe"));
        await Wait.UntilAsync(() => proxy.GetServerStatus().All(s => s.Usable), "new server checked");

        using var fresh = await TestProxy.ConnectAsync(endPoint);
        Assert.Equal("new", await TestProxy.ReadLineAsync(fresh));
        await established.SendAsync(new byte[] { 5 });
        Assert.Equal(new byte[] { 5 }, await TestProxy.ReadExactlyAsync(established, 1));
    }

    [Fact]
    public async Task Apply_KeepsAServersHealthAndCounters()
    {
        await using var echo = new EchoServer();
        var options = new ProxyOptions { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [TestProxy.Backend("be", echo.EndPoint)] };
        await using var proxy = await TestProxy.StartAsync(options);
        using (var c = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe")))
        {
            await c.SendAsync(new byte[] { 1 });
            await TestProxy.ReadExactlyAsync(c, 1);
        }

        var before = proxy.GetServerStatus().Single().Counters;
        options.Frontends[0].Bind = proxy.GetFrontendEndPoint("fe");
        await proxy.ApplyAsync(options);
        var after = proxy.GetServerStatus().Single();
        Assert.True(after.Usable, "no new first check needed");
        Assert.Same(before, after.Counters);
        Assert.Equal(1, after.Counters.Total);
    }

    [Fact]
    public async Task Apply_WithABindThatFails_ThrowsAndKeepsServingTheOldConfiguration()
    {
        await using var echo = new EchoServer();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen(1);
        var options = new ProxyOptions { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [TestProxy.Backend("be", echo.EndPoint)] };
        await using var proxy = await TestProxy.StartAsync(options);
        var endPoint = proxy.GetFrontendEndPoint("fe");

        var broken = new ProxyOptions
        {
            Frontends = [new FrontendOptions { Name = "fe", Bind = endPoint, Backend = "be" }, new FrontendOptions { Name = "taken", Bind = (IPEndPoint)squatter.LocalEndPoint!, Backend = "be" }],
            Backends = [TestProxy.Backend("be", echo.EndPoint)],
        };
        await Assert.ThrowsAsync<SocketException>(() => proxy.ApplyAsync(broken));

        Assert.Single(proxy.GetFrontendStatus());
        using var client = await TestProxy.ConnectAsync(endPoint);
        await client.SendAsync(new byte[] { 4 });
        Assert.Equal(new byte[] { 4 }, await TestProxy.ReadExactlyAsync(client, 1));
    }

    [Fact]
    public async Task IPv6Frontend_ToIPv6Backend_Forwards()
    {
        using var backend = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        backend.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        backend.Listen(8);
        var fe = new FrontendOptions { Name = "fe6", Bind = new IPEndPoint(IPAddress.IPv6Loopback, 0), Backend = "be6" };
        var be = TestProxy.Backend("be6", (IPEndPoint)backend.LocalEndPoint!);
        be.Servers[0].Check = false;
        await using var proxy = await TestProxy.StartAsync(fe, be);

        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(proxy.GetFrontendEndPoint("fe6"));
        using var accepted = await backend.AcceptAsync();
        await accepted.SendAsync("v6"u8.ToArray());
        Assert.Equal("v6"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 2));
        Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task ASecondInstanceOnTheSamePort_FailsToStart_InsteadOfSharingTheAcceptQueue()
    {
        await using var echo = new EchoServer();
        await using var first = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint));
        var taken = first.GetFrontendEndPoint("fe");
        var fe = TestProxy.Frontend("fe", "be");
        fe.Bind = taken;
        await using var second = new ProxyRuntime();
        await Assert.ThrowsAsync<SocketException>(() => second.StartAsync(new ProxyOptions { Frontends = [fe], Backends = [TestProxy.Backend("be", echo.EndPoint)] }, CancellationToken.None));
        Assert.False(second.IsRunning);
    }
}
