using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// Announcements sent in namespace A (through libpcap, or the AF_PACKET fallback) and captured with an AF_PACKET socket
/// in namespace B: what crosses the veth must be the PacketDotNet-built frame, byte for byte.
/// </summary>
public sealed class PcapGarpSenderTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly IPAddress s_vip = IPAddress.Parse("10.203.0.100");
    private static readonly IPAddress s_vip6 = IPAddress.Parse("fd00:203::100");

    private readonly NamespacePair _net = NamespacePair.Connect("ga", "10.203.0.1/24", "gb", "10.203.0.2/24");
    private readonly ListLogger _logger = new();

    public void Dispose() => _net.Dispose();

    [RootFact]
    public async Task Send_PutsTheGratuitousArpOnTheWire()
    {
        var (info, frame) = await SendAndCaptureAsync(packetSocket: false, FrameCapture.EtherTypeArp, s => s.Send(s_vip), f => f.Length >= GratuitousArpFrame.Length);

        Assert.Equal(GratuitousArpFrame.Create(info.MacAddress, s_vip), frame[..GratuitousArpFrame.Length]);
    }

    [RootFact]
    public async Task PacketSocketFallback_PutsTheSameFrameOnTheWire()
    {
        var (info, frame) = await SendAndCaptureAsync(packetSocket: true, FrameCapture.EtherTypeArp, s => s.Send(s_vip), f => f.Length >= GratuitousArpFrame.Length);

        Assert.Equal(GratuitousArpFrame.Create(info.MacAddress, s_vip), frame[..GratuitousArpFrame.Length]);
    }

    [RootFact]
    public Task Send_AfterTheLinkWentDownAndUpAgain_PutsTheGratuitousArpOnTheWireWithoutAWarning() => SendAfterALinkFlapAsync(packetSocket: false);

    [RootFact]
    public Task PacketSocketFallback_AfterTheLinkWentDownAndUpAgain_PutsTheGratuitousArpOnTheWireWithoutAWarning() => SendAfterALinkFlapAsync(packetSocket: true);

    [RootFact]
    public async Task SendNeighborAdvertisement_PutsTheAdvertisementFromTheLinkLocalAddressOnTheWire()
    {
        var linkLocal = _net.A.WaitForLinkLocal("ga");

        var (info, frame) = await SendAndCaptureAsync(packetSocket: false, FrameCapture.EtherTypeIPv6, s => s.SendNeighborAdvertisement(s_vip6), FrameCapture.IsNeighborAdvertisementFor(s_vip6));

        Assert.Equal(new IPAddress(linkLocal.GetAddressBytes(), info.Index), info.LinkLocalAddress);
        Assert.Equal(NeighborAdvertisementFrame.Create(info.MacAddress, linkLocal, s_vip6), frame);
    }

    [RootFact]
    public async Task PacketSocketFallback_PutsTheSameAdvertisementOnTheWire()
    {
        var linkLocal = _net.A.WaitForLinkLocal("ga");

        var (info, frame) = await SendAndCaptureAsync(packetSocket: true, FrameCapture.EtherTypeIPv6, s => s.SendNeighborAdvertisement(s_vip6), FrameCapture.IsNeighborAdvertisementFor(s_vip6));

        Assert.Equal(NeighborAdvertisementFrame.Create(info.MacAddress, linkLocal, s_vip6), frame);
    }

    [RootFact]
    public void SendNeighborAdvertisement_WithoutALinkLocalAddress_LogsOneWarningAndSendsNothing()
    {
        _net.A.Ip("link", "set", "dev", "ga", "down");
        var info = _net.A.Run(() => InterfaceInfo.Get("ga", [s_vip]));
        Assert.Null(info.LinkLocalAddress);
        using var sender = _net.A.Run(() => PcapGarpSender.CreateWithPacketSocket(info, _logger));

        // In A: the sender looks the link-local address up again in the namespace of the calling thread.
        _net.A.Run(() =>
        {
            sender.SendNeighborAdvertisement(s_vip6);
            sender.SendNeighborAdvertisement(s_vip6);
        });

        Assert.Single(_logger.Entries, e => e.EventId.Id == 1266 && e.Level == LogLevel.Warning);
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

    /// <summary>
    /// The link of an open sender goes down and up again (a flap), then a GARP: a capture socket's pending ENETDOWN
    /// from the down must not cost that frame (a takeover's first GARP after a flap).
    /// </summary>
    private async Task SendAfterALinkFlapAsync(bool packetSocket)
    {
        var (info, frame) = await SendAndCaptureAsync(packetSocket, FrameCapture.EtherTypeArp, s => s.Send(s_vip), f => f.Length >= GratuitousArpFrame.Length, prepare: s =>
        {
            s.Send(s_vip);
            _net.A.Ip("link", "set", "dev", "ga", "down");
            _net.A.Ip("link", "set", "dev", "ga", "up");
        });

        Assert.Equal(GratuitousArpFrame.Create(info.MacAddress, s_vip), frame[..GratuitousArpFrame.Length]);
    }

    /// <summary>
    /// Opens a sender on "ga" in A (libpcap, or the AF_PACKET fallback), runs <paramref name="prepare"/> in A, sends
    /// once from a thread in A and returns the first matching frame B received; any warning the sender logged fails the test.
    /// </summary>
    private async Task<(InterfaceInfo Info, byte[] Frame)> SendAndCaptureAsync(bool packetSocket, ushort etherType, Action<PcapGarpSender> send, Func<byte[], bool> matches, Action<PcapGarpSender>? prepare = null)
    {
        var info = _net.A.Run(() => InterfaceInfo.Get("ga", [s_vip]));
        using var sender = packetSocket ? _net.A.Run(() => PcapGarpSender.CreateWithPacketSocket(info, _logger)) : new PcapGarpSender(info, _logger);
        if (prepare is not null)
        {
            _net.A.Run(() => prepare(sender));
        }

        using var capture = FrameCapture.Open(_net.B, etherType);

        _net.A.Run(() => send(sender));

        var frame = await capture.ReceiveAsync(matches, s_timeout);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
        return (info, frame);
    }
}
