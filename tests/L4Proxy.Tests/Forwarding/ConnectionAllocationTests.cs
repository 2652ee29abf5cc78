using System.Net;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using Xunit.Abstractions;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

/// <summary>
/// What one short session (accept, connect, one byte each way, both closes) allocates in the proxy process. Clients
/// are raw blocking descriptors and the backend is a child process, so the allocations counted are the proxy's own:
/// the connection rate of short connections is bounded by this garbage as much as by syscalls.
/// </summary>
[Collection(nameof(ScaleTests))]
public sealed class ConnectionAllocationTests(ITestOutputHelper output)
{
    private const int Connections = 1000;

    /// <summary>
    /// Regression guard, measured 0.87 KB per short session on the epoll loops (the session object, about 0.4 KB,
    /// and its share of the loop's slot table); 3.2-3.7 KB with two Sockets, their handles and epoll contexts and the connect's event
    /// args, 6.4-6.6 KB before pooling those.
    /// </summary>
    private const int BudgetBytes = 2048;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ShortSession_AllocatesLessThanTwoKilobytes(bool splice)
    {
        using var echo = new PythonEchoServer();
        await using var proxy = await TestProxy.StartAsync(TestProxy.Frontend("fe", "be"), TestProxy.Backend("be", echo.EndPoint), o => o.Splice = splice);
        var endPoint = proxy.GetFrontendEndPoint("fe");
        var counters = proxy.GetFrontendStatus().Single().Counters;

        // Warm-up: JIT, pools and engine threads are not per session.
        await Task.Run(() => RoundTrips(endPoint, 200));
        await Wait.UntilAsync(() => counters.Active == 0, "warm-up sessions closed");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Run(() => RoundTrips(endPoint, Connections));
        await Wait.UntilAsync(() => counters.Active == 0, "every session closed");
        var perConnection = (GC.GetTotalAllocatedBytes(precise: true) - before) / Connections;

        output.WriteLine($"splice={splice}: {perConnection} bytes allocated per short session");
        Assert.Equal(Connections + 200, counters.Total);
        Assert.InRange(perConnection, 1, BudgetBytes);
    }

    private static unsafe void RoundTrips(IPEndPoint endPoint, int count)
    {
        var address = new Tmds.Linux.sockaddr_in { sin_family = AF_INET, sin_port = htons((ushort)endPoint.Port) };
        endPoint.Address.TryWriteBytes(new Span<byte>(&address.sin_addr, 4), out _);
        byte b = 42;
        for (var i = 0; i < count; i++)
        {
            var fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            Assert.True(fd >= 0, "socket() failed");
            try
            {
                Assert.Equal(0, connect(fd, (Tmds.Linux.sockaddr*)&address, Tmds.Linux.SizeOf.sockaddr_in));
                Assert.Equal(1, (int)(long)write(fd, &b, 1));
                Assert.Equal(1, (int)(long)read(fd, &b, 1));
            }
            finally
            {
                close(fd);
            }
        }
    }
}
