using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Tests.Linux.Captures;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>Feeds captured rtnetlink datagrams to the monitor; needs no root (reading rtnetlink is unprivileged).</summary>
public sealed class NetlinkLinkMonitorDatagramTests
{
    private readonly ListLogger _logger = new();

    [Fact]
    public void CapturedDelAddress_RaisesAddressRemovedWithTheNameOfAKnownLink()
    {
        using var monitor = new NetlinkLinkMonitor(_logger);
        var removed = new List<(string, IPAddress)>();
        monitor.AddressRemoved += (name, address) => removed.Add((name, address));

        monitor.HandleDatagram(Convert.FromHexString(RtnlCaptures.NewLinkV0));
        monitor.HandleDatagram(DelAddress(interfaceIndex: 3));

        Assert.Equal([("v0", IPAddress.Parse("10.1.2.3"))], removed);
    }

    [Fact]
    public void CapturedDelAddress_ForAnUnknownLink_FallsBackToTheLabel()
    {
        using var monitor = new NetlinkLinkMonitor(_logger);
        var removed = new List<(string, IPAddress)>();
        monitor.AddressRemoved += (name, address) => removed.Add((name, address));

        monitor.HandleDatagram(DelAddress(interfaceIndex: 0x7FFF0003));

        Assert.Equal([("v0:vip", IPAddress.Parse("10.1.2.3"))], removed);
    }

    [Fact]
    public void CapturedNewLink_ForANewUpLink_RaisesLinkChangedOnce()
    {
        using var monitor = new NetlinkLinkMonitor(_logger);
        var changes = new List<(string, bool)>();
        monitor.LinkChanged += (name, up) => changes.Add((name, up));
        var newLink = Convert.FromHexString(RtnlCaptures.NewLinkV0);
        BinaryPrimitives.WriteInt32LittleEndian(newLink.AsSpan(20), 0x7FFF0003);

        monitor.HandleDatagram(newLink);
        monitor.HandleDatagram(newLink);

        Assert.Equal([("v0", true)], changes);
    }

    [Fact]
    public void ThrowingHandler_IsLoggedAndLaterEventsStillArrive()
    {
        var datagram = DelAddress(interfaceIndex: 0x7FFF0003);
        using var monitor = new NetlinkLinkMonitor(_logger);
        var calls = 0;
        monitor.AddressRemoved += (_, _) =>
        {
            calls++;
            throw new InvalidOperationException("handler bug");
        };

        monitor.HandleDatagram(datagram);
        monitor.HandleDatagram(datagram);

        Assert.Equal(2, calls);
        Assert.Equal(2, _logger.Entries.Count(e => e.EventId.Id == 1246));
    }

    [Fact]
    public void TruncatedDatagram_IsCountedAsMalformed()
    {
        using var monitor = new NetlinkLinkMonitor(_logger);

        monitor.HandleDatagram(Convert.FromHexString(RtnlCaptures.NewAddress)[..30]);

        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1245);
    }

    /// <summary>RTM_DELADDR has the RTM_NEWADDR layout: the captured message with its type and ifindex patched.</summary>
    private static byte[] DelAddress(int interfaceIndex)
    {
        var datagram = Convert.FromHexString(RtnlCaptures.NewAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(datagram.AsSpan(4), 21);
        BinaryPrimitives.WriteInt32LittleEndian(datagram.AsSpan(20), interfaceIndex);
        return datagram;
    }
}
