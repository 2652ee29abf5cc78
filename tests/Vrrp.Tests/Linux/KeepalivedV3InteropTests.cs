using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// The VRRPv3 codec and the Neighbor Advertisement frame against the real keepalived 2.2 in v3 mode: keepalived in
/// namespace B is master of an IPv4 instance (VRID 167, 1 s) and an IPv6 instance (VRID 168, 500 ms); what it puts on
/// the veth is captured in namespace A, must pass our validator, and must be exactly what our writer and frame
/// builder produce for the same instance. The other way round, adverts from our writer hold a lower-priority keepalived
/// in BACKUP until they stop.
/// </summary>
public sealed class KeepalivedV3InteropTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private static readonly IPAddress s_vip4 = IPAddress.Parse("10.206.0.100");
    private static readonly IPAddress s_vip6 = IPAddress.Parse("fd00:206::100");
    private static readonly IPAddress s_theirs4 = IPAddress.Parse("10.206.0.2");
    private static readonly IPAddress s_ours4 = IPAddress.Parse("10.206.0.1");

    private const string Configuration = """
        global_defs {
            router_id ccltest
            vrrp_version 3
        }
        vrrp_instance V4 {
            state MASTER
            interface kt
            virtual_router_id 167
            priority 100
            advert_int 1
            virtual_ipaddress {
                10.206.0.100/24
            }
        }
        vrrp_instance V6 {
            state MASTER
            interface kt
            virtual_router_id 168
            priority 100
            advert_int 0.5
            virtual_ipaddress {
                fd00:206::100/64
            }
        }
        """;

    private const string BackupConfiguration = """
        global_defs {
            router_id ccltest
            vrrp_version 3
        }
        vrrp_instance V4 {
            state BACKUP
            interface kt
            virtual_router_id 167
            priority 99
            advert_int 1
            virtual_ipaddress {
                10.206.0.100/24
            }
        }
        vrrp_instance V6 {
            state BACKUP
            interface kt
            virtual_router_id 168
            priority 99
            advert_int 1
            virtual_ipaddress {
                fd00:206::100/64
            }
        }
        """;

    private readonly NamespacePair _net = NamespacePair.Connect("ko", "10.206.0.1/24", "kt", "10.206.0.2/24");

    private NetworkNamespace Ours => _net.A;

    private NetworkNamespace Theirs => _net.B;

    public void Dispose() => _net.Dispose();

    [KeepalivedFact]
    public async Task KeepalivedIPv4Advert_IsValidAndIsWhatOurWriterEncodes()
    {
        using var capture = FrameCapture.Open(Ours, FrameCapture.EtherTypeIPv4);
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration);

        var frame = await ReceiveOrFailAsync(capture, FrameCapture.IsVrrp(167), keepalived);

        var datagram = frame[14..];
        var validator = new VrrpV3AdvertValidator(167, [s_vip4], s_ours4, VrrpV3Advertisement.IPv4Group);
        Assert.Equal(VrrpDropReason.None, validator.ValidateIPv4(datagram, VrrpV3Advertisement.IPv4Group, out var ip, out var advert));
        Assert.Equal(new VrrpV3Advertisement(3, 1, 167, 100, 1, 100, advert.Checksum), advert);
        Assert.Equal(32, ip.TotalLength);

        var ours = new byte[32];
        VrrpV3AdvertisementWriter.Write(ours.AsSpan(20), 167, 100, 100, [s_vip4], s_theirs4, VrrpV3Advertisement.IPv4Group);
        Ipv4Header.Write(ours, 32, ip.Identification, 255, 112, Ipv4Address.ToUInt32(s_theirs4), Ipv4Address.ToUInt32(VrrpV3Advertisement.IPv4Group));
        Assert.Equal(Protocol.Hex.Format(datagram[..32]), Protocol.Hex.Format(ours));
    }

    [KeepalivedFact]
    public async Task KeepalivedIPv6Advert_FromItsLinkLocalAddress_IsValidAndIsWhatOurWriterEncodes()
    {
        var ourLinkLocal = Ours.WaitForLinkLocal("ko");
        Theirs.WaitForLinkLocal("kt");
        var theirs = Theirs.Run(() => InterfaceInfo.Get("kt", []));
        using var capture = FrameCapture.Open(Ours, FrameCapture.EtherTypeIPv6);
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration);

        var frame = await ReceiveOrFailAsync(capture, FrameCapture.IsVrrp(168), keepalived);

        // IPv6 header: traffic class 0xc0 (RFC 5798 §5.1.2.1 leaves it to us; keepalived sets it), hop limit 255.
        Assert.Equal(0xC0, ((frame[14] & 0x0F) << 4) | (frame[15] >> 4));
        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(18));
        var hopLimit = frame[21];
        var source = new IPAddress(frame.AsSpan(22, 16));
        var destination = new IPAddress(frame.AsSpan(38, 16));
        var message = frame.AsSpan(54, payloadLength).ToArray();
        Assert.Equal(new IPAddress(theirs.LinkLocalAddress!.GetAddressBytes()), source);
        Assert.Equal(VrrpV3Advertisement.IPv6Group, destination);

        var validator = new VrrpV3AdvertValidator(168, [s_vip6], ourLinkLocal, VrrpV3Advertisement.IPv6Group);
        Assert.Equal(VrrpDropReason.None, validator.ValidateIPv6(message, source, destination, hopLimit, out var advert));
        Assert.Equal(new VrrpV3Advertisement(3, 1, 168, 100, 1, 50, advert.Checksum), advert);

        var ours = new byte[message.Length];
        VrrpV3AdvertisementWriter.Write(ours, 168, 100, 50, [s_vip6], theirs.LinkLocalAddress, VrrpV3Advertisement.IPv6Group);
        Assert.Equal(Protocol.Hex.Format(message), Protocol.Hex.Format(ours));
    }

    [KeepalivedFact]
    public async Task KeepalivedNeighborAdvertisement_IsTheFrameWeBuildWithTheVipAsSource()
    {
        Theirs.WaitForLinkLocal("kt");
        var theirs = Theirs.Run(() => InterfaceInfo.Get("kt", []));
        using var capture = FrameCapture.Open(Ours, FrameCapture.EtherTypeIPv6);
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration);

        var frame = await ReceiveOrFailAsync(capture, FrameCapture.IsNeighborAdvertisementFor(s_vip6), keepalived);

        // keepalived announces from the VIP itself; with that source our frame must not differ in a single byte.
        var ours = NeighborAdvertisementFrame.Create(theirs.MacAddress, s_vip6, s_vip6);
        Assert.Equal(Protocol.Hex.Format(ours), Protocol.Hex.Format(frame));
    }

    [KeepalivedFact]
    public async Task OurIPv4AndIPv6Adverts_KeepAPriority99KeepalivedInBackup_UntilTheyStop()
    {
        var ourLinkLocal = Ours.WaitForLinkLocal("ko");
        Theirs.WaitForLinkLocal("kt");
        var ko = Ours.Run(() => InterfaceInfo.Get("ko", []));
        using var socket4 = Ours.Run(() => OpenSender(AddressFamily.InterNetwork, ko.Index));
        using var socket6 = Ours.Run(() => OpenSender(AddressFamily.InterNetworkV6, ko.Index));
        var advert4 = new byte[12];
        VrrpV3AdvertisementWriter.Write(advert4, 167, 100, 100, [s_vip4], s_ours4, VrrpV3Advertisement.IPv4Group);
        var advert6 = new byte[24];
        VrrpV3AdvertisementWriter.Write(advert6, 168, 100, 100, [s_vip6], ourLinkLocal, VrrpV3Advertisement.IPv6Group);
        var group6 = new IPEndPoint(new IPAddress(VrrpV3Advertisement.IPv6Group.GetAddressBytes(), ko.Index), 0);
        using var keepalived = KeepalivedProcess.Start(Theirs, BackupConfiguration);
        Assert.True(await keepalived.WaitForAsync("(V6) Entering BACKUP STATE", s_timeout), keepalived.Output);

        // Six seconds of adverts, four a second: past keepalived's 3.61 s master-down interval at priority 99 with
        // room for a slow send on a loaded machine (a v3 backup accepts adverts faster than advertised).
        for (var i = 0; i < 24; i++)
        {
            socket4.SendTo(advert4, new IPEndPoint(VrrpV3Advertisement.IPv4Group, 0));
            socket6.SendTo(advert6, group6);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Assert.DoesNotContain("Entering MASTER STATE", keepalived.Output);
        Assert.DoesNotContain("bogus", keepalived.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("checksum", keepalived.Output, StringComparison.OrdinalIgnoreCase);

        // Silence: both instances must now take over, which shows it was our adverts that held them back.
        Assert.True(await keepalived.WaitForAsync("(V4) Entering MASTER STATE", s_timeout), keepalived.Output);
        Assert.True(await keepalived.WaitForAsync("(V6) Entering MASTER STATE", s_timeout), keepalived.Output);
    }

    /// <summary>
    /// A raw protocol-112 socket on interface <paramref name="index"/> with multicast TTL / hop limit 255 and TOS /
    /// traffic class 0xc0, as keepalived sends; the kernel writes the IP header and picks the link-local IPv6 source.
    /// </summary>
    private static Socket OpenSender(AddressFamily family, int index)
    {
        // .NET refuses protocol numbers it does not know, so the socket comes from socket(2) as in the transport.
        var socket = LinuxInterop.CreateSocket(
            family == AddressFamily.InterNetwork ? LinuxInterop.AF_INET : LinuxInterop.AF_INET6, LinuxInterop.SOCK_RAW, 112);
        if (family == AddressFamily.InterNetwork)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(index));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, 0xC0);
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetRawSocketOption(41, 67, BitConverter.GetBytes(0xC0)); // IPPROTO_IPV6, IPV6_TCLASS
        }

        return socket;
    }

    private static async Task<byte[]> ReceiveOrFailAsync(FrameCapture capture, Func<byte[], bool> matches, KeepalivedProcess keepalived)
    {
        try
        {
            return await capture.ReceiveAsync(matches, s_timeout);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Nothing matching arrived from keepalived within {s_timeout}:\n{keepalived.Output}");
            throw;
        }
    }
}
