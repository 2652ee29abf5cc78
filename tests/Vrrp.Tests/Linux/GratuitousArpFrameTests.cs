using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux;
using PacketDotNet;

namespace CloudCoreLb.Vrrp.Tests.Linux;

public sealed class GratuitousArpFrameTests
{
    private static readonly PhysicalAddress s_mac = PhysicalAddress.Parse("52-54-00-12-34-56");
    private static readonly IPAddress s_vip = IPAddress.Parse("10.10.102.242");

    [Fact]
    public void Frame_MatchesKeepalivedLayoutByteForByte()
    {
        var frame = GratuitousArpFrame.Create(s_mac, s_vip);

        // docs/design/vrrp.md §6, written down field by field.
        var expected = Convert.FromHexString(
            "ffffffffffff" + "525400123456" + "0806" + //     Ethernet: broadcast, interface MAC, ARP
            "0001" + "0800" + "06" + "04" + "0001" + //         Ethernet/IPv4, request
            "525400123456" + "0a0a66f2" + //                    sender MAC, sender IP = VIP
            "ffffffffffff" + "0a0a66f2"); //                    target MAC broadcast (keepalived), target IP = VIP
        Assert.Equal(42, expected.Length);
        Assert.Equal(GratuitousArpFrame.Length, frame.Length);
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Frame_ParsesAsArpRequestWhoHasVipTellVip()
    {
        var frame = GratuitousArpFrame.Create(s_mac, s_vip);

        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame));
        var arp = ethernet.Extract<ArpPacket>();

        Assert.Equal(PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), ethernet.DestinationHardwareAddress);
        Assert.Equal(s_mac, ethernet.SourceHardwareAddress);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(s_vip, arp.SenderProtocolAddress);
        Assert.Equal(s_vip, arp.TargetProtocolAddress);
        Assert.Equal(s_mac, arp.SenderHardwareAddress);
    }

    [Fact]
    public void Frame_ForIPv6Address_Throws()
    {
        Assert.Throws<ArgumentException>(() => GratuitousArpFrame.Create(s_mac, IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Frame_WithNonEthernetMac_Throws()
    {
        Assert.Throws<ArgumentException>(() => GratuitousArpFrame.Create(PhysicalAddress.None, s_vip));
    }
}
