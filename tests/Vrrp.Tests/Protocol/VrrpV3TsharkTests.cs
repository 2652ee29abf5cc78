using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Protocol;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>
/// Our VRRPv3 adverts as a third party reads them: written into a pcap file behind Ethernet and IP headers and
/// dissected by tshark, whose VRRP dissector checks the checksum with the pseudo-header (its default, RFC 5798).
/// </summary>
public sealed class VrrpV3TsharkTests : IDisposable
{
    private static readonly PhysicalAddress s_mac = PhysicalAddress.Parse("52-54-00-12-34-56");
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ccltest-v3-{Guid.NewGuid():N}.pcap");

    public void Dispose() => File.Delete(_file);

    [TsharkFact]
    public void TsharkDecodesOurIPv4AndIPv6Adverts_WithAGoodChecksum()
    {
        var source4 = IPAddress.Parse("10.10.102.11");
        var source6 = IPAddress.Parse("fe80::5054:ff:fe12:3456");
        var message4 = new byte[12];
        VrrpV3AdvertisementWriter.Write(message4, 167, 100, 100, [IPAddress.Parse("10.10.102.242")], source4, VrrpV3Advertisement.IPv4Group);
        var message6 = new byte[24];
        VrrpV3AdvertisementWriter.Write(message6, 168, 254, 10, [IPAddress.Parse("2001:db8:10:102::242")], source6, VrrpV3Advertisement.IPv6Group);

        var datagram4 = new byte[20 + message4.Length];
        Ipv4Header.Write(datagram4, (ushort)datagram4.Length, 1, 255, 112, Ipv4Address.ToUInt32(source4), Ipv4Address.ToUInt32(VrrpV3Advertisement.IPv4Group));
        message4.CopyTo(datagram4, 20);
        var ipv6 = new IPv6Packet(source6, VrrpV3Advertisement.IPv6Group)
        {
            HopLimit = 255,
            NextHeader = (PacketDotNet.ProtocolType)112,
            PayloadLength = (ushort)message6.Length,
            PayloadData = message6,
        };
        WriteCapture(
            Frame(EthernetType.IPv4, "01-00-5E-00-00-12", datagram4),
            new EthernetPacket(s_mac, PhysicalAddress.Parse("33-33-00-00-00-12"), EthernetType.IPv6) { PayloadPacket = ipv6 }.Bytes);

        var lines = Tshark.ReadFields(_file, "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.short_adver_int", "vrrp.checksum.status", "_ws.expert");

        // checksum.status 1 is PROTO_CHECKSUM_E_GOOD; an expert field would carry "Bad checksum".
        Assert.Equal(["3,167,100,100,1,", "3,168,254,10,1,"], lines);
    }

    private static byte[] Frame(EthernetType type, string destination, byte[] payload) =>
        new EthernetPacket(s_mac, PhysicalAddress.Parse(destination), type) { PayloadData = payload }.Bytes;

    private void WriteCapture(params byte[][] frames)
    {
        using var writer = new CaptureFileWriterDevice(_file);
        writer.Open(new DeviceConfiguration { LinkLayerType = LinkLayers.Ethernet });
        foreach (var frame in frames)
        {
            writer.Write(frame);
        }
    }
}
