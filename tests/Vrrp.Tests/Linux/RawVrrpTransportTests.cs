using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>Two namespaces joined by a veth pair; adverts go from A to B through the kernel.</summary>
public sealed class RawVrrpTransportTests : IDisposable
{
    private static readonly IPAddress s_addressA = IPAddress.Parse("10.202.0.1");
    private static readonly IPAddress s_addressB = IPAddress.Parse("10.202.0.2");
    private static readonly IPAddress s_vip = IPAddress.Parse("10.202.0.100");

    // Seed advert, priority 100, PASS "1111" (docs/design/vrrp.md §1.3); VRID 167.
    private static readonly byte[] s_advert = Convert.FromHexString("21a764010101a5f70a0a66f23131313100000000");

    private readonly NamespacePair _net = NamespacePair.Connect("va", "10.202.0.1/24", "vb", "10.202.0.2/24");
    private readonly ListLogger _logger = new();

    public void Dispose() => _net.Dispose();

    [RootFact]
    public async Task Multicast_AdvertFromA_ReachesBWithTtl255Tos0xC0AndGroupDestination()
    {
        var group = IPAddress.Parse("224.0.0.19");
        using var sender = _net.A.Run(() => Open("va", [s_vip], o => o with { MulticastGroup = group }));
        using var receiver = _net.B.Run(() => Open("vb", [s_vip], o => o with { MulticastGroup = group }));

        Assert.Equal(s_addressA, sender.SourceAddress);
        var (datagram, buffer) = await SendAndReceiveAsync(sender, receiver);

        AssertIpHeader(buffer, datagram, s_addressA, group);
        Assert.Equal(group, datagram.Destination);
    }

    [RootFact]
    public async Task Unicast_AdvertFromA_ReachesBWithTtl255AndBAsDestination()
    {
        using var sender = _net.A.Run(() => Open("va", [], o => o with
        {
            UnicastSourceAddress = s_addressA,
            UnicastPeers = [s_addressB],
        }));
        using var receiver = _net.B.Run(() => Open("vb", [], o => o with
        {
            UnicastSourceAddress = s_addressB,
            UnicastPeers = [s_addressA],
        }));

        var (datagram, buffer) = await SendAndReceiveAsync(sender, receiver);

        AssertIpHeader(buffer, datagram, s_addressA, s_addressB);
        Assert.Equal(s_addressB, datagram.Destination);
    }

    [RootFact]
    public async Task MulticastReceiver_DoesNotSeeUnicastAdverts()
    {
        using var unicastSender = _net.A.Run(() => Open("va", [], o => o with
        {
            UnicastSourceAddress = s_addressA,
            UnicastPeers = [s_addressB],
        }));
        using var multicastSender = _net.A.Run(() => Open("va", [], o => o with { VirtualRouterId = 2 }));
        using var receiver = _net.B.Run(() => Open("vb", [], o => o));

        unicastSender.Send(s_advert);
        var (datagram, buffer) = await SendAndReceiveAsync(multicastSender, receiver);

        // The first datagram the group-bound socket sees is the multicast one, not the earlier unicast one.
        Assert.Equal(IPAddress.Parse("224.0.0.18"), datagram.Destination);
        Assert.Equal(IPAddress.Parse("224.0.0.18"), new IPAddress(buffer.AsSpan(16, 4)));
    }

    [RootFact]
    public async Task Receive_IntoASmallBuffer_ReportsTruncation()
    {
        using var sender = _net.A.Run(() => Open("va", [], o => o));
        using var receiver = _net.B.Run(() => Open("vb", [], o => o));
        var buffer = new byte[30];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var receive = receiver.ReceiveAsync(buffer, timeout.Token).AsTask();

        while (!receive.IsCompleted)
        {
            sender.Send(s_advert);
            await Task.WhenAny(receive, Task.Delay(200, timeout.Token));
        }

        var datagram = await receive;
        Assert.True(datagram.Truncated);
        Assert.Equal(30, datagram.Length);
    }

    [RootFact]
    public void SourceAddress_SkipsAVipThatIsAlreadyOnTheInterface()
    {
        _net.A.Ip("addr", "del", "10.202.0.1/24", "dev", "va");
        _net.A.Ip("addr", "add", "10.202.0.100/32", "dev", "va");
        _net.A.Ip("addr", "add", "10.202.0.1/24", "dev", "va");

        using var transport = _net.A.Run(() => Open("va", [s_vip], o => o));

        Assert.Equal(s_addressA, transport.SourceAddress);
    }

    [RootFact]
    public void Open_WithoutAnyNonVipAddress_ThrowsAClearError()
    {
        _net.A.Ip("addr", "del", "10.202.0.1/24", "dev", "va");

        var ex = Assert.Throws<InvalidOperationException>(() => _net.A.Run(() => Open("va", [], o => o)));

        Assert.Contains("va has no IPv4 address", ex.Message);
    }

    [RootFact]
    public void Send_OnADownInterface_IsLoggedOnceNotThrown_AndRecoveryIsLogged()
    {
        using var sender = _net.A.Run(() => Open("va", [], o => o));
        _net.A.Ip("link", "set", "dev", "va", "down");

        sender.Send(s_advert);
        sender.Send(s_advert);
        _net.A.Ip("link", "set", "dev", "va", "up");
        sender.Send(s_advert);

        Assert.Single(_logger.Entries, e => e.EventId.Id == 1201);
        Assert.Single(_logger.Entries, e => e.EventId.Id == 1202);
        Assert.Single(_logger.Entries, e => e.EventId.Id == 1203);
    }

    private RawVrrpTransport Open(string interfaceName, IPAddress[] vips, Func<VrrpInstanceOptions, VrrpInstanceOptions> configure)
    {
        var options = configure(new VrrpInstanceOptions
        {
            Name = "test",
            Interface = interfaceName,
            VirtualRouterId = 167,
            VirtualAddresses = [.. vips.Select(vip => new VirtualAddress(vip, 32))],
        });
        var info = InterfaceInfo.Get(interfaceName, options.VirtualAddresses.Select(v => v.Address));
        return RawVrrpTransport.Open(options, info, _logger);
    }

    private static async Task<(VrrpDatagram Datagram, byte[] Buffer)> SendAndReceiveAsync(RawVrrpTransport sender, RawVrrpTransport receiver)
    {
        var buffer = new byte[1500];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var receive = receiver.ReceiveAsync(buffer, timeout.Token).AsTask();

        // A multicast join can take a moment to settle after the veth comes up; resend until the receiver hears one.
        while (!receive.IsCompleted)
        {
            sender.Send(s_advert);
            await Task.WhenAny(receive, Task.Delay(200, timeout.Token));
        }

        return (await receive, buffer);
    }

    private static void AssertIpHeader(byte[] buffer, VrrpDatagram datagram, IPAddress source, IPAddress destination)
    {
        Assert.False(datagram.Truncated);
        Assert.Equal(40, datagram.Length);
        Assert.Equal(0x45, buffer[0]);
        Assert.Equal(0xC0, buffer[1]);
        Assert.Equal(40, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(6)) & 0x4000); // DF clear
        Assert.Equal(255, buffer[8]);
        Assert.Equal(112, buffer[9]);
        Assert.Equal(source, new IPAddress(buffer.AsSpan(12, 4)));
        Assert.Equal(destination, new IPAddress(buffer.AsSpan(16, 4)));
        Assert.Equal(s_advert, buffer.AsSpan(20, 20).ToArray());
    }
}
