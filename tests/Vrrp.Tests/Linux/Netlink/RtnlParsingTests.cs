using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux.Netlink;
using CloudCoreLb.Vrrp.Tests.Linux.Captures;

namespace CloudCoreLb.Vrrp.Tests.Linux.Netlink;

public sealed class RtnlParsingTests
{
    [Fact]
    public void CapturedNewAddress_ParsesIndexPrefixAddressesAndLabel()
    {
        var datagram = Convert.FromHexString(RtnlCaptures.NewAddress);
        var reader = new NetlinkMessageReader(datagram);

        Assert.True(reader.TryRead(out var message));
        Assert.Equal(NetlinkConstants.RTM_NEWADDR, message.Type);
        Assert.Equal(7u, message.Sequence);
        Assert.True(RtnlAddress.TryParse(message.Payload, out var address));
        Assert.Equal(2, address.Family);
        Assert.Equal(24, address.PrefixLength);
        Assert.Equal(3, address.InterfaceIndex);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), address.Local);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), address.Address);
        Assert.Equal("v0:vip", address.Label);
        Assert.Equal(0, address.Protocol);
        Assert.False(reader.TryRead(out _));
        Assert.False(reader.Malformed);
    }

    [Fact]
    public void CapturedNewLink_ParsesNameMacAndUpRunningFlags()
    {
        var datagram = Convert.FromHexString(RtnlCaptures.NewLinkV0);
        var reader = new NetlinkMessageReader(datagram);

        Assert.True(reader.TryRead(out var message));
        Assert.Equal(NetlinkConstants.RTM_NEWLINK, message.Type);
        Assert.Equal(1492, message.Payload.Length + NetlinkConstants.NlMsgHeaderLength);
        Assert.True(RtnlLink.TryParse(message.Payload, out var link));
        Assert.Equal(3, link.InterfaceIndex);
        Assert.Equal("v0", link.Name);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-01"), link.HardwareAddress);
        Assert.Equal(6, link.OperState);
        Assert.True(link.IsUpAndRunning);
    }

    [Theory]
    [InlineData(0x00001003u, false)] // UP, no RUNNING: carrier lost (peer veth down)
    [InlineData(0x00001002u, false)] // admin down
    [InlineData(0x00011043u, true)] //  UP | RUNNING | LOWER_UP
    public void LinkIsUpAndRunning_NeedsBothFlags(uint flags, bool expected)
    {
        var link = new RtnlLink(1, flags, "eth0", null, 0);

        Assert.Equal(expected, link.IsUpAndRunning);
    }

    [Fact]
    public void CapturedError_YieldsNegativeErrno()
    {
        var reader = new NetlinkMessageReader(Convert.FromHexString(RtnlCaptures.DeleteAddressError));

        Assert.True(reader.TryRead(out var message));
        Assert.Equal(9u, message.Sequence);
        Assert.True(message.TryGetError(out var error));
        Assert.Equal(-99, error);
    }

    [Fact]
    public void Ack_IsAnErrorMessageWithCodeZero()
    {
        var ack = Convert.FromHexString("24000000" + "0200" + "0001" + "05000000" + "01000000" + "00000000" + "38000000140005060500000000000000");
        var reader = new NetlinkMessageReader(ack);

        Assert.True(reader.TryRead(out var message));
        Assert.True(message.TryGetError(out var error));
        Assert.Equal(0, error);
    }

    [Fact]
    public void Datagram_WithSeveralMessages_YieldsEachInOrder()
    {
        var datagram = Convert.FromHexString(RtnlCaptures.NewAddress + RtnlCaptures.DeleteAddressError + "140000000300020007000000000000000000000000");
        var reader = new NetlinkMessageReader(datagram);
        var types = new List<ushort>();

        while (reader.TryRead(out var message))
        {
            types.Add(message.Type);
        }

        Assert.Equal([NetlinkConstants.RTM_NEWADDR, NetlinkConstants.NLMSG_ERROR, NetlinkConstants.NLMSG_DONE], types);
    }

    [Fact]
    public void Message_WithLengthBeyondDatagram_StopsTheWalkAsMalformed()
    {
        var datagram = Convert.FromHexString(RtnlCaptures.NewAddress);
        datagram[0] = 0xFF;
        var reader = new NetlinkMessageReader(datagram);

        Assert.False(reader.TryRead(out _));
        Assert.True(reader.Malformed);
    }

    [Fact]
    public void Attribute_WithLengthBeyondPayload_IsIgnored()
    {
        // ifaddrmsg then an IFA_LOCAL claiming 12 bytes with only 8 present.
        var payload = Convert.FromHexString("0220000002000000" + "0c000200c0a84d64");

        Assert.True(RtnlAddress.TryParse(payload, out var address));
        Assert.Null(address.Local);
        Assert.Equal(2, address.InterfaceIndex);
    }

    [Fact]
    public void AddressWithProtocolAttribute_ReportsTheMark()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];
        var length = RtnlRequests.WriteNewAddress(buffer, 1, 4, new VirtualAddress(IPAddress.Parse("10.0.0.9"), 32), "x:vip", 0xCC);

        Assert.True(RtnlAddress.TryParse(buffer.AsSpan(NetlinkConstants.NlMsgHeaderLength, length - NetlinkConstants.NlMsgHeaderLength), out var address));
        Assert.Equal(0xCC, address.Protocol);
        Assert.Equal("x:vip", address.Label);
        Assert.Equal(IPAddress.Parse("10.0.0.9"), address.EffectiveAddress);
    }
}
