using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PacketDotNet;
using PacketDotNet.Ndp;
using PacketDotNet.Utils;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// The unsolicited Neighbor Advertisement that announces an IPv6 VIP's new link-layer address, the IPv6 counterpart
/// of gratuitous ARP (RFC 4861 §4.4 and §7.2.6, docs/design/vrrp.md §6), built with PacketDotNet. 86 bytes:
/// <code>
/// Ethernet  33:33:00:00:00:01 (RFC 2464 §7 mapping of ff02::1), interface MAC, ethertype 86dd
/// IPv6      version 6, traffic class 0, flow 0, payload 32, next header 58, hop limit 255, source, ff02::1
/// ICMPv6    type 136, code 0, checksum over the IPv6 pseudo-header (RFC 4443 §2.3)
///           flags R=0 S=0 O=1 (0x20), reserved 0, target = the VIP
///           option 2 (Target Link-Layer Address), length 1 (8 bytes), the interface MAC
/// </code>
/// Override is set so neighbours replace the old master's MAC; Router stays off (the node does not route for the VIP)
/// and Solicited off (nobody asked). The hop limit of 255 is what receivers check to know it came from the link
/// (§7.1.2).
/// </summary>
/// <remarks>
/// keepalived sends the same frame with the VIP itself as the IPv6 source; RFC 4861 allows any address of the
/// interface. The caller picks: the senders here use the interface's link-local address, which exists before the VIP
/// is added and is never tentative once the link is up.
/// </remarks>
internal static class NeighborAdvertisementFrame
{
    /// <summary>Ethernet (14) + IPv6 (40) + ICMPv6 Neighbor Advertisement (24) + Target Link-Layer Address option (8).</summary>
    public const int Length = 86;

    /// <summary>The ICMPv6 message: 4-byte header, flags word, 16-byte target, one 8-byte option.</summary>
    private const int MessageLength = 32;

    private const byte HopLimit = 255;

    private static readonly PhysicalAddress s_allNodesMac = new([0x33, 0x33, 0x00, 0x00, 0x00, 0x01]);

    /// <summary>ff02::1, the link-local all-nodes group (RFC 4291 §2.7.1).</summary>
    public static IPAddress AllNodes { get; } = IPAddress.Parse("ff02::1");

    /// <summary>Builds the frame announcing that <paramref name="target"/> is at <paramref name="sourceMac"/>.</summary>
    /// <param name="sourceMac">The interface MAC: Ethernet source and the Target Link-Layer Address option.</param>
    /// <param name="source">IPv6 source, an address of the interface (normally its link-local address).</param>
    /// <param name="target">The VIP being announced (a unicast IPv6 address).</param>
    /// <exception cref="ArgumentException">An address is not unicast IPv6 or the MAC is not 6 bytes.</exception>
    public static byte[] Create(PhysicalAddress sourceMac, IPAddress source, IPAddress target)
    {
        ArgumentNullException.ThrowIfNull(sourceMac);
        RequireUnicastIPv6(source, nameof(source));
        RequireUnicastIPv6(target, nameof(target));
        if (sourceMac.GetAddressBytes().Length != 6)
        {
            throw new ArgumentException($"The source MAC '{sourceMac}' is not a 6-byte Ethernet address.", nameof(sourceMac));
        }

        // PacketDotNet's NDP types are views over an ICMPv6 message, not builders: lay the message out through them.
        var message = new byte[MessageLength];
        _ = new IcmpV6Packet(new ByteArraySegment(message)) { Type = IcmpV6Type.NeighborAdvertisement, Code = 0 };
        var advertisement = new NdpNeighborAdvertisementPacket(new ByteArraySegment(message))
        {
            Router = false,
            Solicited = false,
            Override = true,
            TargetAddress = target,
        };
        var option = new NdpLinkLayerAddressOption(new byte[8], 0, 8)
        {
            Type = OptionTypes.TargetLinkLayerAddress,
            Length = 1,
            LinkLayerAddress = sourceMac,
        };
        advertisement.OptionsCollection = [option];

        var ipv6 = new IPv6Packet(source, AllNodes)
        {
            HopLimit = HopLimit,
            NextHeader = PacketDotNet.ProtocolType.IcmpV6,
            PayloadLength = MessageLength,
            PayloadData = message,
        };
        var frame = new EthernetPacket(sourceMac, s_allNodesMac, EthernetType.IPv6) { PayloadPacket = ipv6 }.Bytes;

        // The ICMPv6 checksum covers the pseudo-header, which PacketDotNet only reaches from an IPv6 packet parsed out
        // of one contiguous buffer: parse the finished frame and let it write the checksum in place.
        Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IcmpV6Packet>().UpdateIcmpChecksum();
        return frame;
    }

    private static void RequireUnicastIPv6(IPAddress address, string name)
    {
        ArgumentNullException.ThrowIfNull(address, name);
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.IsIPv6Multicast || address.IsIPv4MappedToIPv6)
        {
            throw new ArgumentException($"A Neighbor Advertisement needs a unicast IPv6 address, got {address}.", name);
        }
    }
}
