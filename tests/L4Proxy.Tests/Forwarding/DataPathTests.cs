using System.Net.Sockets;
using System.Text;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

public sealed class DataPathTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneMegabyte_RoundTripsThroughTheProxy_AndIsCounted(bool splice)
    {
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));

        var payload = new byte[1 << 20];
        new Random(1).NextBytes(payload);
        var send = client.SendAsync(payload);
        var echoed = await TestProxy.ReadExactlyAsync(client, payload.Length);
        await send;
        Assert.Equal(payload, echoed);

        client.Shutdown(SocketShutdown.Send);
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000));
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ClientClosed) == 1, "session recorded as closed by the client");
        Assert.Equal(payload.Length, fe.BytesIn);
        Assert.Equal(payload.Length, fe.BytesOut);
        Assert.Equal(payload.Length, proxy.GetServerStatus().Single().Counters.BytesIn);
        Assert.Equal(0, fe.Active);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientHalfClose_ReachesTheServer_WhichCanStillAnswer(bool splice)
    {
        // The echo server answers our FIN with its own only after echoing: data after our FIN proves the
        // server-to-client direction stayed open.
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));

        var payload = new byte[200_000];
        new Random(2).NextBytes(payload);
        await client.SendAsync(payload);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(payload, await TestProxy.ReadExactlyAsync(client, payload.Length));
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000));
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ClientClosed) == 1, "closed by the client");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServerHalfClose_ReachesTheClient_WhichCanStillSend(bool splice)
    {
        await using var sink = new SinkServer(greetingThenFin: "bye");
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", sink.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));

        Assert.Equal("bye", await TestProxy.ReadLineAsync(client));
        Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None));

        await client.SendAsync(Encoding.ASCII.GetBytes("still here"));
        await Wait.UntilAsync(() => sink.Received == 10, "bytes sent after the server's FIN arrive");

        client.Shutdown(SocketShutdown.Send);
        await sink.PeerClosed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ServerClosed) == 1, "closed by the server first");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3_000, false)]
    [InlineData(70_000, false)]
    [InlineData(70_000, true)]
    [InlineData(1 << 20, true)]
    public async Task AReplyWrittenWithTheServersFin_ArrivesWhole_ThenEndOfStream(int size, bool splice)
    {
        // The last bytes before a FIN go out with MSG_MORE and the FIN is sent without a read of the EOF: nothing
        // may be lost or held back, whether the reply fits one read, spans several, or switches to splice.
        var reply = new byte[size];
        new Random(size).NextBytes(reply);
        await using var server = SinkServer.ReplyingThenClosing(reply);
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", server.EndPoint), o => o.Splice = splice);
        var elapsed = new List<long>();
        for (var session = 0; session < 20; session++)
        {
            using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(reply, await TestProxy.ReadExactlyAsync(client, size));
            Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000));
            elapsed.Add(watch.ElapsedMilliseconds);
        }

        // Bytes and a FIN left behind MSG_MORE would wait for the kernel's probe timer (>= 200 ms) in every session;
        // the median ignores a one-off scheduling hiccup on a busy test machine.
        elapsed.Sort();
        Assert.InRange(elapsed[elapsed.Count / 2], 0, 100);

        var fe = proxy.GetFrontendStatus().Single().Counters;
        Assert.Equal(20L * size, fe.BytesOut);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReplyAndFinBehindASlowReader_WaitForRoom_ThenArriveWhole(bool splice)
    {
        // 8 MiB cannot fit the client's socket buffers: the proxy's writes stop on EAGAIN with the FIN already read
        // from the server, so the end has to come from the resumed writes, not from the read that saw the FIN.
        var reply = new byte[8 << 20];
        new Random(8).NextBytes(reply);
        await using var server = SinkServer.ReplyingThenClosing(reply);
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", server.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await Task.Delay(300);
        var received = await TestProxy.ReadExactlyAsync(client, reply.Length, 30000);
        Assert.True(reply.AsSpan().SequenceEqual(received));
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 5000));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientReset_IsRecordedAsClientReset(bool splice)
    {
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync(new byte[10]);
        await TestProxy.ReadExactlyAsync(client, 10);
        client.LingerState = new LingerOption(true, 0);
        client.Dispose();
        var fe = proxy.GetFrontendStatus().Single().Counters;
        await Wait.UntilAsync(() => fe.Closed(CloseReason.ClientReset) == 1, "closed by a client reset");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SmallMessages_AreForwardedWithoutDelay(bool splice)
    {
        // 200 one-byte round trips: any Nagle/MSG_MORE-style hold-back (about 40-200 ms each) would take seconds.
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            await client.SendAsync(new[] { (byte)i });
            Assert.Equal((byte)i, (await TestProxy.ReadExactlyAsync(client, 1))[0]);
        }

        Assert.InRange(watch.ElapsedMilliseconds, 0, 3000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BulkBothWaysAtOnce_ArrivesIntact(bool splice)
    {
        // A slow reader forces the destination-full path (EAGAIN on splice out) while the other direction flows.
        await using var echo = new EchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        var payload = new byte[16 << 20];
        new Random(3).NextBytes(payload);
        var send = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 65536)
            {
                await client.SendAsync(payload.AsMemory(offset, 65536));
            }
        });
        await Task.Delay(200); // let buffers fill before reading
        var echoed = await TestProxy.ReadExactlyAsync(client, payload.Length, 30000);
        await send;
        Assert.True(payload.AsSpan().SequenceEqual(echoed));
    }
}
