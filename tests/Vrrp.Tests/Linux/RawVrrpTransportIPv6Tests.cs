using System.Net;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>VRRPv3 over IPv6 through the kernel: two namespaces joined by a veth pair, adverts from A to B.</summary>
public sealed class RawVrrpTransportIPv6Tests : IDisposable
{
    private static readonly IPAddress s_vip = IPAddress.Parse("fd00:207::100");

    private readonly NamespacePair _net = NamespacePair.Connect("va6", "10.207.0.1/24", "vb6", "10.207.0.2/24");
    private readonly ListLogger _logger = new();

    public void Dispose() => _net.Dispose();

    [RootFact]
    public async Task Multicast_AdvertFromA_ReachesBFromItsLinkLocalAddress_ToTheGroupWithHopLimit255_AndAValidChecksum()
    {
        var linkLocalA = _net.A.WaitForLinkLocal("va6");
        var linkLocalB = _net.B.WaitForLinkLocal("vb6");
        using var sender = _net.A.Run(() => Open("va6"));
        using var receiver = _net.B.Run(() => Open("vb6"));
        var advert = Advert(sender.SourceAddress);

        var (datagram, buffer) = await SendAndReceiveAsync(sender, receiver, advert);

        Assert.Equal(linkLocalA.GetAddressBytes(), sender.SourceAddress.GetAddressBytes());
        Assert.Equal(new IPAddress(linkLocalA.GetAddressBytes()), new IPAddress(datagram.Source!.GetAddressBytes()));
        Assert.Equal(VrrpV3Advertisement.IPv6Group, new IPAddress(datagram.Destination.GetAddressBytes()));
        Assert.Equal(255, datagram.HopLimit);
        Assert.False(datagram.Truncated);
        Assert.Equal(advert, buffer.AsSpan(0, datagram.Length).ToArray());
        var validator = new VrrpV3AdvertValidator(168, [s_vip], linkLocalB, VrrpV3Advertisement.IPv6Group);
        Assert.Equal(VrrpDropReason.None, validator.ValidateIPv6(buffer.AsSpan(0, datagram.Length), datagram.Source, datagram.Destination, datagram.HopLimit, out _));
    }

    [RootFact]
    public async Task AnAdvertSentWithHopLimit254_IsReportedWithThatHopLimit_AndTheValidatorDropsItAsInvalidTtl()
    {
        _net.A.WaitForLinkLocal("va6");
        var linkLocalB = _net.B.WaitForLinkLocal("vb6");
        using var sender = _net.A.Run(() => Open("va6"));
        using var receiver = _net.B.Run(() => Open("vb6"));
        using var forwarded = _net.A.Run(() => OpenRawSender("va6", hopLimit: 254));
        var advert = Advert(sender.SourceAddress);
        var group = new IPEndPoint(IPAddress.Parse("ff02::12%" + _net.A.Run(() => InterfaceInfo.Get("va6", []).Index)), 0);

        var (datagram, buffer) = await ReceiveWhileSendingAsync(receiver, () => forwarded.SendTo(advert, group));

        Assert.Equal(254, datagram.HopLimit);
        var validator = new VrrpV3AdvertValidator(168, [s_vip], linkLocalB, VrrpV3Advertisement.IPv6Group);
        Assert.Equal(VrrpDropReason.InvalidTtl, validator.ValidateIPv6(buffer.AsSpan(0, datagram.Length), datagram.Source!, datagram.Destination, datagram.HopLimit, out _));
    }

    [RootFact]
    public void Open_WithoutALinkLocalAddress_ThrowsAClearError()
    {
        _net.A.WaitForLinkLocal("va6");
        _net.A.Ip("-6", "addr", "flush", "dev", "va6", "scope", "link");

        var ex = Assert.Throws<InvalidOperationException>(() => _net.A.Run(() => Open("va6")));

        Assert.Contains("va6 has no usable IPv6 link-local address", ex.Message);
    }

    [RootFact]
    public void Open_RightAfterTheLinkComesUp_WaitsForDuplicateAddressDetection_ThenSendsFromTheLinkLocalAddress()
    {
        _net.A.WaitForLinkLocal("va6");
        // Five solicitations a second apart: DAD takes at least 5 s, longer than anything between the check below and
        // the open, however loaded the machine; the wait's bound comes from the same sysctls.
        _net.A.Run(() => File.WriteAllText("/proc/sys/net/ipv6/conf/va6/dad_transmits", "5"));
        _net.A.Ip("link", "set", "dev", "va6", "down");
        _net.A.Ip("link", "set", "dev", "va6", "up");
        var deadline = Environment.TickCount64 + 10_000;
        while (!_net.A.Ip("-6", "-o", "addr", "show", "dev", "va6", "scope", "link").Contains("tentative", StringComparison.Ordinal))
        {
            Assert.True(Environment.TickCount64 < deadline, "the link-local address never came back tentative");
            Thread.Sleep(20);
        }

        using var transport = _net.A.Run(() => Open("va6"));

        Assert.Equal(_net.A.WaitForLinkLocal("va6").GetAddressBytes(), transport.SourceAddress.GetAddressBytes());
        var waiting = Assert.Single(_logger.Entries, e => e.EventId.Id == 1268);
        Assert.Contains("at most 6500 ms", waiting.Message, StringComparison.Ordinal);
    }

    private RawVrrpTransport Open(string interfaceName)
    {
        var options = new VrrpInstanceOptions
        {
            Name = "test6",
            Interface = interfaceName,
            Version = 3,
            VirtualRouterId = 168,
            VirtualAddresses = [new VirtualAddress(s_vip, 64)],
        };
        var info = InterfaceInfo.Get(interfaceName, options.VirtualAddresses.Select(v => v.Address));
        return RawVrrpTransport.Open(options, info, _logger);
    }

    private static System.Net.Sockets.Socket OpenRawSender(string interfaceName, int hopLimit)
    {
        var info = InterfaceInfo.Get(interfaceName, []);
        var socket = LinuxInterop.CreateSocket(LinuxInterop.AF_INET6, LinuxInterop.SOCK_RAW, LinuxInterop.IPPROTO_VRRP);
        RawVrrpTransport.SetInt(socket, LinuxInterop.IPPROTO_IPV6, LinuxInterop.IPV6_MULTICAST_IF, info.Index);
        RawVrrpTransport.SetInt(socket, LinuxInterop.IPPROTO_IPV6, LinuxInterop.IPV6_MULTICAST_HOPS, hopLimit);
        socket.Bind(new IPEndPoint(info.LinkLocalAddress!, 0));
        return socket;
    }

    private static byte[] Advert(IPAddress source)
    {
        var advert = new byte[VrrpV3Advertisement.GetLength(1, source.AddressFamily)];
        VrrpV3AdvertisementWriter.Write(advert, 168, 100, 100, [s_vip], source, VrrpV3Advertisement.IPv6Group);
        return advert;
    }

    private static Task<(VrrpDatagram Datagram, byte[] Buffer)> SendAndReceiveAsync(RawVrrpTransport sender, RawVrrpTransport receiver, byte[] advert) =>
        ReceiveWhileSendingAsync(receiver, () => sender.Send(advert));

    private static async Task<(VrrpDatagram Datagram, byte[] Buffer)> ReceiveWhileSendingAsync(RawVrrpTransport receiver, Action send)
    {
        var buffer = new byte[1500];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var receive = receiver.ReceiveAsync(buffer, timeout.Token).AsTask();

        // An MLD join can take a moment to settle after the veth comes up; resend until the receiver hears one.
        while (!receive.IsCompleted)
        {
            send();
            await Task.WhenAny(receive, Task.Delay(200, timeout.Token));
        }

        return (await receive, buffer);
    }
}
