using System.Net;
using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class ProcNetTcpParserTests
{
    // 10001 listening, 1000 listening on 127.0.0.1, 10000 only in TIME_WAIT and as a remote port, one line with a
    // five-digit port (100001 = 0x186A1) that no kernel writes. Every decimal substring trap of `grep 10000`.
    private const string Tcp4 = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:2711 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
           1: 0100007F:03E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0
           2: 0100007F:186A1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 0
           3: 0100007F:2710 0100007F:9C40 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
           4: 0100007F:9C41 0100007F:2710 01 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 20 4 30 10 -1
        """;

    // [::]:10010, [::1]:10012, [::ffff:127.0.0.1]:10002 listening; [::1]:10000 established.
    private const string Tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:271A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:271C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0
           2: 0000000000000000FFFF00000100007F:2712 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0
           3: 00000000000000000000000001000000:2710 00000000000000000000000001000000:A000 01 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 20 4 30 10 -1
        """;

    [Fact]
    public void PortTenThousandOnlyInTimeWaitOrAsRemotePort_IsNotListening()
    {
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp4, 10000, null));
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp6, 10000, null));
    }

    [Fact]
    public void NeighbouringPorts_AreMatchedExactly()
    {
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp4, 10001, null));
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp4, 1000, null));
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp4, 100, null));
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp4, 10, null));
    }

    [Fact]
    public void FiveDigitHexPort_IsRejectedAsMalformed()
    {
        var line = Tcp4.Split('\n')[3];
        Assert.Contains("186A1", line);
        Assert.False(ProcNetTcpParser.TryParseLine(line, out _));
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp4, 0x86A1, null));
    }

    [Fact]
    public void HeaderAndBlankLines_AreNotEntries()
    {
        Assert.False(ProcNetTcpParser.TryParseLine(Tcp4.Split('\n')[0], out _));
        Assert.False(ProcNetTcpParser.TryParseLine("", out _));
        Assert.False(ProcNetTcpParser.TryParseLine("   7: garbage", out _));
    }

    [Fact]
    public void Ipv4Line_DecodesAddressPortAndState()
    {
        Assert.True(ProcNetTcpParser.TryParseLine(Tcp4.Split('\n')[2], out var entry));
        Assert.Equal(IPAddress.Loopback, entry.LocalAddress);
        Assert.Equal(1000, entry.LocalPort);
        Assert.True(entry.IsListening);

        Assert.True(ProcNetTcpParser.TryParseLine(Tcp4.Split('\n')[4], out var timeWait));
        Assert.Equal(10000, timeWait.LocalPort);
        Assert.Equal(0x06, timeWait.State);
        Assert.False(timeWait.IsListening);
    }

    [Fact]
    public void Ipv6Lines_DecodeLoopbackAndMappedAddresses()
    {
        var lines = Tcp6.Split('\n');
        Assert.True(ProcNetTcpParser.TryParseLine(lines[2], out var loopback));
        Assert.Equal(IPAddress.IPv6Loopback, loopback.LocalAddress);
        Assert.Equal(10012, loopback.LocalPort);

        Assert.True(ProcNetTcpParser.TryParseLine(lines[3], out var mapped));
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), mapped.LocalAddress);
    }

    [Fact]
    public void AddressFilter_HonoursWildcardsAndMappedAddresses()
    {
        // [::]:10010 takes any address, both families.
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp6, 10010, IPAddress.Parse("10.10.102.242")));
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp6, 10010, IPAddress.IPv6Loopback));

        // [::1]:10012 is loopback-v6 only.
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp6, 10012, IPAddress.IPv6Loopback));
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp6, 10012, IPAddress.Loopback));

        // A v4-mapped listener is the IPv4 address.
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp6, 10002, IPAddress.Loopback));

        // 127.0.0.1:1000 is not 10.0.0.1:1000; 0.0.0.0:10001 is everything.
        Assert.False(ProcNetTcpParser.ContainsListener(Tcp4, 1000, IPAddress.Parse("10.0.0.1")));
        Assert.True(ProcNetTcpParser.ContainsListener(Tcp4, 10001, IPAddress.Parse("10.0.0.1")));
    }
}
