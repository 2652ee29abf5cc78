using System.Net;
using System.Net.Sockets;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.HealthCheck.Tests.TestSupport;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class ListenerProbeTests
{
    [Fact]
    public async Task RealListenerOnLoopback_IsUpAndDownAfterStop()
    {
        using var listener = new HeldPort();
        var port = listener.Port;
        var probe = new ListenerProbe(port);
        var exact = new ListenerProbe(port, IPAddress.Loopback);
        var otherAddress = new ListenerProbe(port, IPAddress.Parse("127.0.0.2"));
        try
        {
            var up = await probe.ProbeAsync(CancellationToken.None);
            Assert.True(up.Success, up.Detail);
            Assert.Equal("LISTEN", up.Status);
            Assert.True((await exact.ProbeAsync(CancellationToken.None)).Success);
            Assert.False((await otherAddress.ProbeAsync(CancellationToken.None)).Success);
        }
        finally
        {
            listener.StopListening();
        }

        var down = await probe.ProbeAsync(CancellationToken.None);
        Assert.False(down.Success);
        Assert.Equal("NOLISTEN", down.Status);
    }

    [Fact]
    public async Task ALoopTimeoutThatFiredWhileTheDaemonWasNotScheduled_StillGetsTheKernelsAnswer()
    {
        // The loop cancels a run once its timeout (the 200 ms interval) has passed; on a loaded machine that happens
        // before a run that only reads procfs was even scheduled. The answer must still be what the kernel says.
        using var listener = new HeldPort();
        var port = listener.Port;
        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        try
        {
            var up = await new ListenerProbe(port).ProbeAsync(timedOut.Token);
            Assert.True(up.Success, up.Detail);
            Assert.Equal("LISTEN", up.Status);
        }
        finally
        {
            listener.StopListening();
        }

        var down = await new ListenerProbe(port).ProbeAsync(timedOut.Token);
        Assert.Equal("NOLISTEN", down.Status);
    }

    [Fact]
    public async Task EstablishedConnectionsOnThePort_DoNotCountAsListening()
    {
        using var listener = new HeldPort();
        var port = listener.Port;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptAsync();
        listener.StopListening();

        var result = await new ListenerProbe(port).ProbeAsync(CancellationToken.None);

        Assert.False(result.Success, "only an established socket is left on the port");
    }

    [Fact]
    public async Task ListenerOpenedAfterEstablishedConnections_IsStillFound()
    {
        // ListenerProbe stops reading at the first non-LISTEN line because the kernel lists the listening hash
        // first; this checks that assumption against the running kernel.
        var first = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)first.LocalEndpoint).Port);
        using var accepted = await first.AcceptTcpClientAsync();
        var second = new TcpListener(IPAddress.Loopback, 0);
        second.Start();
        try
        {
            var result = await new ListenerProbe(((IPEndPoint)second.LocalEndpoint).Port).ProbeAsync(CancellationToken.None);

            Assert.True(result.Success, result.Detail);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }

    [Fact]
    public async Task ProcFilesFromAnotherDirectory_AreRead()
    {
        var dir = Directory.CreateTempSubdirectory("procnet");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tcp"), """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:2710 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
                """);

            Assert.True((await new ListenerProbe(10000, null, dir.FullName).ProbeAsync(CancellationToken.None)).Success);
            Assert.False((await new ListenerProbe(10010, null, dir.FullName).ProbeAsync(CancellationToken.None)).Success);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SeveralPorts_PassOnlyWhenAllListen_AndTheDetailNamesTheMissingOnes()
    {
        var dir = Directory.CreateTempSubdirectory("procnet");
        try
        {
            // 10010 and 10012 listen (tcp and tcp6); 10013 only has an established connection.
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tcp"), """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:271A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
                   1: 0100007F:271D 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
                """);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tcp6"), """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000000000000000000000000000:271C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
                """);

            var both = await new ListenerProbe([10010, 10012], null, dir.FullName).ProbeAsync(CancellationToken.None);
            var three = await new ListenerProbe([10010, 10012, 10013], null, dir.FullName).ProbeAsync(CancellationToken.None);

            Assert.True(both.Success);
            Assert.False(three.Success);
            Assert.Equal("nothing listening on port 10013", three.Detail);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void InvalidPorts_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ListenerProbe(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ListenerProbe(65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ListenerProbe(Array.Empty<int>()));
    }
}
