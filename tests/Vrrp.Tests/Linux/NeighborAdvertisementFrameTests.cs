using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Tests.Protocol;
using PacketDotNet;

namespace CloudCoreLb.Vrrp.Tests.Linux;

public sealed class NeighborAdvertisementFrameTests
{
    private static readonly PhysicalAddress s_mac = PhysicalAddress.Parse("52-54-00-12-34-56");
    private static readonly IPAddress s_linkLocal = IPAddress.Parse("fe80::5054:ff:fe12:3456");
    private static readonly IPAddress s_vip = IPAddress.Parse("2001:db8:10:102::242");

    [Fact]
    public void Frame_MatchesTheRfc4861LayoutByteForByte()
    {
        var frame = NeighborAdvertisementFrame.Create(s_mac, s_linkLocal, s_vip);

        // RFC 4861 §4.4 / §7.2.6, RFC 2464 §7, written down field by field; checksum 1c99 computed independently.
        var expected = Hex.Parse(
            "33 33 00 00 00 01  52 54 00 12 34 56  86 dd" + //                        Ethernet: all-nodes, our MAC, IPv6
            "60 00 00 00  00 20  3a  ff" + //                                          IPv6: payload 32, ICMPv6, hop limit 255
            "fe 80 00 00 00 00 00 00 50 54 00 ff fe 12 34 56" + //                     source: link-local
            "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01" + //                     destination: ff02::1
            "88 00 1c 99  20 00 00 00" + //                                            type 136, code 0, checksum; R=0 S=0 O=1
            "20 01 0d b8 00 10 01 02 00 00 00 00 00 00 02 42" + //                     target = VIP
            "02 01 52 54 00 12 34 56"); //                                             Target Link-Layer Address option
        Assert.Equal(NeighborAdvertisementFrame.Length, expected.Length);
        Assert.Equal(Hex.Format(expected), Hex.Format(frame));
    }

    [Fact]
    public void Checksum_IsTheIcmpV6PseudoHeaderChecksum()
    {
        var frame = NeighborAdvertisementFrame.Create(s_mac, s_linkLocal, s_vip);

        var message = frame[54..];
        var stored = (ushort)((message[2] << 8) | message[3]);
        message[2] = message[3] = 0;
        Assert.Equal(ReferenceChecksum.WithIPv6PseudoHeader(s_linkLocal, NeighborAdvertisementFrame.AllNodes, 58, message), stored);
    }

    [Fact]
    public void FrameWithTheVipAsSource_ChangesOnlyTheSourceAndTheChecksum()
    {
        // keepalived's choice of source (KeepalivedV3InteropTests compares with its frames on the wire); checksum
        // 6dc9 computed independently.
        var frame = NeighborAdvertisementFrame.Create(s_mac, s_vip, s_vip);

        var expected = Hex.Parse(
            "33 33 00 00 00 01  52 54 00 12 34 56  86 dd  60 00 00 00  00 20  3a  ff" +
            "20 01 0d b8 00 10 01 02 00 00 00 00 00 00 02 42" + //                     source = VIP
            "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01" +
            "88 00 6d c9  20 00 00 00" +
            "20 01 0d b8 00 10 01 02 00 00 00 00 00 00 02 42" +
            "02 01 52 54 00 12 34 56");
        Assert.Equal(Hex.Format(expected), Hex.Format(frame));
    }

    [Fact]
    public void Frame_ParsesAsAnOverridingUnsolicitedAdvertisementWithAValidChecksum()
    {
        var frame = NeighborAdvertisementFrame.Create(s_mac, s_linkLocal, s_vip);

        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame));
        var ipv6 = ethernet.Extract<IPv6Packet>();
        var icmp = ethernet.Extract<IcmpV6Packet>();
        var advert = Assert.IsType<NdpNeighborAdvertisementPacket>(icmp.PayloadPacket);

        Assert.Equal(PhysicalAddress.Parse("33-33-00-00-00-01"), ethernet.DestinationHardwareAddress);
        Assert.Equal(255, ipv6.HopLimit);
        Assert.Equal(s_linkLocal, ipv6.SourceAddress);
        Assert.Equal(IPAddress.Parse("ff02::1"), ipv6.DestinationAddress);
        Assert.Equal(IcmpV6Type.NeighborAdvertisement, icmp.Type);
        Assert.True(icmp.ValidIcmpChecksum);
        Assert.True(advert.Override);
        Assert.False(advert.Router);
        Assert.False(advert.Solicited);
        Assert.Equal(s_vip, advert.TargetAddress);
        var option = Assert.IsType<PacketDotNet.Ndp.NdpLinkLayerAddressOption>(Assert.Single(advert.OptionsCollection));
        Assert.Equal(PacketDotNet.Ndp.OptionTypes.TargetLinkLayerAddress, option.Type);
        Assert.Equal(s_mac, option.LinkLayerAddress);
    }

    [Theory]
    [InlineData("10.10.102.242")]
    [InlineData("ff02::12")]
    [InlineData("::ffff:10.10.102.242")]
    public void Frame_ForATargetThatIsNotUnicastIPv6_Throws(string target)
    {
        Assert.Throws<ArgumentException>(() => NeighborAdvertisementFrame.Create(s_mac, s_linkLocal, IPAddress.Parse(target)));
    }

    [Fact]
    public void Frame_WithAnIPv4Source_Throws()
    {
        Assert.Throws<ArgumentException>(() => NeighborAdvertisementFrame.Create(s_mac, IPAddress.Parse("10.0.0.1"), s_vip));
    }

    [Fact]
    public void Frame_WithNonEthernetMac_Throws()
    {
        Assert.Throws<ArgumentException>(() => NeighborAdvertisementFrame.Create(PhysicalAddress.None, s_linkLocal, s_vip));
    }
}
