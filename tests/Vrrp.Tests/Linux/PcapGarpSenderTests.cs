using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using CloudCoreLb.Vrrp.Linux;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>GARP sent through libpcap in namespace A and captured with an AF_PACKET socket in namespace B.</summary>
public sealed class PcapGarpSenderTests : IDisposable
{
    private const ushort EtherTypeArp = 0x0806;
    private static readonly IPAddress s_vip = IPAddress.Parse("10.203.0.100");

    private readonly NamespacePair _net = NamespacePair.Connect("ga", "10.203.0.1/24", "gb", "10.203.0.2/24");
    private readonly TestLogger _logger = new();

    public void Dispose() => _net.Dispose();

    [RootFact]
    public async Task Send_PutsTheGratuitousArpOnTheWire()
    {
        // ETH_P_ARP in network byte order selects ARP frames only; nothing else runs in B, so no bind is needed.
        using var capture = _net.B.Run(() => new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)IPAddress.HostToNetworkOrder((short)EtherTypeArp)));
        var info = _net.A.Run(() => InterfaceInfo.Get("ga", [s_vip]));
        using var sender = new PcapGarpSender(info, _logger);

        _net.A.Run(() => sender.Send(s_vip));

        var frame = new byte[1514];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var length = await capture.ReceiveAsync(frame, SocketFlags.None, timeout.Token);
        var expected = new byte[GratuitousArpFrame.Length];
        GratuitousArpFrame.Write(expected, info.MacAddress, s_vip);
        Assert.Equal(expected, frame[..GratuitousArpFrame.Length]);
        Assert.True(length >= GratuitousArpFrame.Length);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [RootFact]
    public async Task PacketSocketFallback_PutsTheSameFrameOnTheWire()
    {
        using var capture = _net.B.Run(() => new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)IPAddress.HostToNetworkOrder((short)EtherTypeArp)));
        var info = _net.A.Run(() => InterfaceInfo.Get("ga", [s_vip]));
        using var sender = _net.A.Run(() => PcapGarpSender.CreateWithPacketSocket(info, _logger));

        sender.Send(s_vip);

        var frame = new byte[1514];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await capture.ReceiveAsync(frame, SocketFlags.None, timeout.Token);
        var expected = new byte[GratuitousArpFrame.Length];
        GratuitousArpFrame.Write(expected, info.MacAddress, s_vip);
        Assert.Equal(expected, frame[..GratuitousArpFrame.Length]);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [RootFact]
    public void Send_OnAMissingDevice_LogsOneErrorAndKeepsGoing()
    {
        var ghost = new InterfaceInfo("ccl-ghost0", 999, PhysicalAddress.Parse("02-00-00-00-00-09"), [], null, isUp: false);
        using var sender = new PcapGarpSender(ghost, _logger);

        sender.Send(s_vip);
        sender.Send(s_vip);

        Assert.Single(_logger.Entries, e => e.EventId.Id == 1261 && e.Level == LogLevel.Error);
    }
}
