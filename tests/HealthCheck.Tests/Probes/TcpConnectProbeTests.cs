using System.Net;
using System.Net.Sockets;
using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class TcpConnectProbeTests
{
    [Fact]
    public async Task ListeningPort_IsL4Ok_AndTheCheckConnectionIsClosedAtOnce()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var probe = new TcpConnectProbe((IPEndPoint)listener.LocalEndPoint!, TimeSpan.FromSeconds(2));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.True(result.Success);
        Assert.Equal("L4OK", result.Status);
        using var accepted = await listener.AcceptAsync();
        var buffer = new byte[1];
        // The probe sends nothing and closes with RST (haproxy's pure TCP check).
        var ex = await Record.ExceptionAsync(async () =>
        {
            var n = await accepted.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(0, n);
        });
        Assert.True(ex is null or SocketException { SocketErrorCode: SocketError.ConnectionReset }, ex?.ToString());
    }

    [Fact]
    public async Task ClosedPort_IsL4Con()
    {
        IPEndPoint closed;
        using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closed = (IPEndPoint)s.LocalEndPoint!;
        }

        var result = await new TcpConnectProbe(closed, TimeSpan.FromSeconds(2)).ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("L4CON", result.Status);
    }

    [Fact]
    public async Task FullBacklog_TimesOutAsL4Tout()
    {
        // A listener with backlog 0 whose queue we fill and never accept: further SYNs are dropped, the connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        var connects = new List<Task>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                connects.Add(filler.ConnectAsync(endPoint));
            }

            // One filler completed its handshake: the queue (backlog 0) is full from then on.
            await Task.WhenAny(connects).WaitAsync(TimeSpan.FromSeconds(30));
            var result = await new TcpConnectProbe(endPoint, TimeSpan.FromMilliseconds(300)).ProbeAsync(CancellationToken.None);

            Assert.False(result.Success);
            Assert.Equal("L4TOUT", result.Status);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task CallerCancellation_Throws_SoTheLoopCanTellItFromATimeout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var probe = new TcpConnectProbe((IPEndPoint)listener.LocalEndPoint!, TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await probe.ProbeAsync(cts.Token));
    }

    [Fact]
    public void Description_NamesTheTarget()
    {
        Assert.Equal("tcp 10.0.0.1:10000", new TcpConnectProbe(IPEndPoint.Parse("10.0.0.1:10000"), TimeSpan.FromSeconds(1)).Description);
    }
}
