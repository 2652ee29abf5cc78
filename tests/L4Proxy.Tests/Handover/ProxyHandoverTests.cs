using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Tests.Handover;

/// <summary>
/// A frozen runtime's sessions adopted by a second runtime, as an upgrade does between two processes: the second
/// gets duplicates of the descriptors (in a real upgrade SCM_RIGHTS makes them), the first abandons its own.
/// </summary>
public sealed class ProxyHandoverTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFrozenSessionAdoptedByAnotherRuntime_CarriesOnWithEveryByte(bool splice)
    {
        await using var echo = new EchoServer();
        var options = new ProxyOptions { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [TestProxy.Backend("be", echo.EndPoint)], Splice = splice };
        var old = await TestProxy.StartAsync(options);
        using var client = await TestProxy.ConnectAsync(old.GetFrontendEndPoint("fe"));
        var before = new byte[256 * 1024];
        new Random(1).NextBytes(before);
        await client.SendAsync(before);
        Assert.Equal(before, await TestProxy.ReadExactlyAsync(client, before.Length));

        var handover = await old.FreezeAsync();
        // Sent while frozen: waits in the kernel, then flows through the new runtime.
        var during = new byte[64 * 1024];
        new Random(2).NextBytes(during);
        await client.SendAsync(during);

        var successor = new ProxyRuntime();
        await successor.StartForTakeoverAsync(options, CancellationToken.None);
        var adoption = await successor.AdoptAsync(handover with { Descriptors = [.. handover.Descriptors.Select(fd => dup(fd))] });
        Assert.Equal(1, adoption.Adopted);
        Assert.Empty(adoption.Refused);
        await old.AbandonAsync();
        successor.CompleteAdoption();

        Assert.Equal(during, await TestProxy.ReadExactlyAsync(client, during.Length));
        var after = new byte[512 * 1024];
        new Random(3).NextBytes(after);
        var send = client.SendAsync(after);
        Assert.Equal(after, await TestProxy.ReadExactlyAsync(client, after.Length));
        await send;
        Assert.Equal(1, successor.ActiveSessions);

        // The listener came along: new clients are served by the successor on the same port.
        using var second = await TestProxy.ConnectAsync(successor.GetFrontendEndPoint("fe"));
        await second.SendAsync("x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await TestProxy.ReadExactlyAsync(second, 1));
        await successor.DisposeAsync();
    }

    [Fact]
    public async Task AThawedRuntime_ServesAsIfNothingHappened()
    {
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint));
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync("a"u8.ToArray());
        Assert.Equal("a"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 1));

        var handover = await proxy.FreezeAsync();
        Assert.Single(handover.Sessions);
        await client.SendAsync("b"u8.ToArray());
        using var cts = new CancellationTokenSource(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token));

        await proxy.ThawAsync();
        Assert.Equal("b"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 1));
        using var second = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await second.SendAsync("c"u8.ToArray());
        Assert.Equal("c"u8.ToArray(), await TestProxy.ReadExactlyAsync(second, 1));
    }

    [Fact]
    public async Task SessionsWithUnknownNamesOrDescriptorsOfTheWrongKind_AreRefusedAndClosed()
    {
        await using var echo = new EchoServer();
        var options = new ProxyOptions { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [TestProxy.Backend("be", echo.EndPoint)] };
        var successor = new ProxyRuntime();
        await successor.StartForTakeoverAsync(options, CancellationToken.None);
        var pipe = Pipe();
        var idle = new DirectionHandover(false, false, 0, -1, -1, null);
        var records = new[]
        {
            new SessionHandover("nope", "be", null, 0, -1, false, 0, 0, 0, 0, 0, idle, idle),
            new SessionHandover("fe", "nope", null, 0, -1, false, 0, 0, 0, 0, 0, idle, idle),
            new SessionHandover("fe", "be", null, 1, -1, false, 0, 0, 0, 0, 0, idle, idle),
            new SessionHandover("fe", "be", null, 7, -1, false, 0, 0, 0, 0, 0, idle, idle),
        };
        var handover = new ProxyHandover([], records, [], [pipe.Read, pipe.Write]);

        var adoption = await successor.AdoptAsync(handover);

        Assert.Equal(0, adoption.Adopted);
        Assert.Equal(1, adoption.Refused["unknown-frontend"]);
        Assert.Equal(1, adoption.Refused["unknown-backend"]);
        Assert.Equal(2, adoption.Refused["bad-descriptor"]);
        // Refused means closed: the pipe's descriptors are gone.
        Assert.Equal(-1, fcntl(pipe.Read, F_GETFD));
        Assert.Equal(-1, fcntl(pipe.Write, F_GETFD));
        successor.CompleteAdoption();
        await successor.DisposeAsync();
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, pipe2(fds, O_CLOEXEC));
        return (fds[0], fds[1]);
    }
}
