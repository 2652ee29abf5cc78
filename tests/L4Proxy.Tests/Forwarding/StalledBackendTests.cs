using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using Xunit.Abstractions;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

/// <summary>
/// A backend that accepts and never reads while the client keeps writing (issue 15, fault suite): the proxy stops
/// reading from the client once the server side is full, so what it holds is bounded by its pipe or buffer, what the
/// kernel holds by the socket buffers, and nothing grows in the process; the server timeout ends the session. In the
/// scale collection: the allocation figure is the whole process's and must not include other tests' garbage.
/// </summary>
[Collection(nameof(ScaleTests))]
public sealed class StalledBackendTests(ITestOutputHelper output)
{
    /// <summary>The test's own client send buffer and the server's receive buffer: fixed, so not auto-tuned.</summary>
    private const int FixedBuffer = 64 * 1024;

    /// <summary>What the proxy may hold in user space or a pipe for one direction: a pipe, plus a copy buffer's rest.</summary>
    private const int ProxyBuffer = SplicePipePool.PipeSize + (64 * 1024);

    /// <summary>The largest loopback segment (64 KiB MTU), by which a send queue may overshoot its buffer.</summary>
    private const int Segment = 64 * 1024;

    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AClientWritingToABackendThatNeverReads_IsStoppedAtTheBuffers_AllocatesNothing_AndIsCutAtTheServerTimeout(bool splice)
    {
        await using var stalled = FaultyServer.NeverReading(FixedBuffer);
        var fe = TestProxy.Frontend("fe", "be");
        fe.ClientTimeout = TimeSpan.FromSeconds(30);
        var be = TestProxy.Backend("be", stalled.EndPoint);
        be.ServerTimeout = ServerTimeout;
        // Checks allocate; after the first one none may run while the process's allocations are measured.
        be.Health.Inter = TimeSpan.FromMinutes(1);
        await using var proxy = await TestProxy.StartAsync(fe, be, o => o.Splice = splice);
        var counters = proxy.GetFrontendStatus().Single().Counters;

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = FixedBuffer };
        await client.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await Wait.UntilAsync(() => proxy.GetServerStatus().Single().Counters.Total == 1, "the session reached the server");
        client.Blocking = false;

        // Kernel-side room between the client and the server: the client's send buffer, the proxy's receive buffer of
        // the client socket and send buffer of the server socket (both auto-tuned, at most tcp_rmem / tcp_wmem max;
        // a send queue may pass its limit by the segment that crossed it), the server's receive buffer; plus what the
        // proxy holds itself.
        var proxyHeldBound = TcpBufferMax("tcp_wmem") + Segment + ProxyBuffer;
        var acceptedBound = client.SendBufferSize + TcpBufferMax("tcp_rmem") + proxyHeldBound + stalled.AcceptedReceiveBufferSize;
        var chunk = new byte[64 * 1024];
        long sent = 0;
        long heldByProxy = -1;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var sinceProgress = Stopwatch.StartNew();
        var session = Stopwatch.StartNew();
        SocketError error;
        while (true)
        {
            var n = client.Send(chunk, SocketFlags.None, out error);
            if (error == SocketError.Success)
            {
                sent += n;
                sinceProgress.Restart();
                // Past the bound the proxy is buffering without limit: stop rather than fill the machine's memory.
                if (sent > acceptedBound)
                {
                    Assert.Fail($"the client got {sent} bytes accepted, more than the buffers between it and the server hold ({acceptedBound})");
                }

                continue;
            }

            if (error != SocketError.WouldBlock)
            {
                break; // reset by the proxy: the session ended
            }

            // What the proxy read from the client and the server's queue does not hold is in the proxy (its pipe or
            // buffer, its socket's send queue). The kernel may go on taking a trickle into the proxy's receive queue
            // long after that stopped (it collapses queued segments to make room), so every wait samples it.
            heldByProxy = Math.Max(heldByProxy, counters.BytesIn - stalled.Unread);

            Assert.True(session.Elapsed < TimeSpan.FromSeconds(60), "the proxy never ended the stalled session");
            await Task.Delay(20);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"splice={splice}: client got {sent} bytes accepted (bound {acceptedBound}), proxy held {heldByProxy} (bound {proxyHeldBound}), {allocated} bytes allocated, ended by {error} after {session.ElapsedMilliseconds} ms, {sinceProgress.ElapsedMilliseconds} ms after the last progress"));
        Assert.True(heldByProxy >= 0, "the client's writes stalled before the session ended");
        Assert.True(counters.BytesIn > FixedBuffer, "the proxy forwarded bytes before the server's queue filled");
        Assert.InRange(heldByProxy, 0, proxyHeldBound);
        Assert.True(sent > 2L * FixedBuffer, "the client filled the path before it stalled");
        // An unbounded buffer would allocate what it held (megabytes); the test loop's delays are a few kilobytes.
        Assert.InRange(allocated, 0, 512 * 1024);
        Assert.True(session.Elapsed >= ServerTimeout, "the session lived at least the server timeout");
        Assert.InRange(sinceProgress.Elapsed, TimeSpan.Zero, ServerTimeout + TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(() => counters.Closed(CloseReason.ServerTimeout) == 1 && counters.Active == 0, "recorded as a server timeout");
        Assert.Equal(1, CloseReasons.All.Sum(counters.Closed));
    }

    /// <summary>The largest size the kernel auto-tunes a TCP buffer to (the third field of net.ipv4.tcp_rmem / tcp_wmem).</summary>
    private static long TcpBufferMax(string sysctl) =>
        long.Parse(File.ReadAllText($"/proc/sys/net/ipv4/{sysctl}").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
}
