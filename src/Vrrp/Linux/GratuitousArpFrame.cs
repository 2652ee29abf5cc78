using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PacketDotNet;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// The 42-byte gratuitous ARP request keepalived sends for a VIP (docs/design/vrrp.md §6), built with PacketDotNet:
/// Ethernet broadcast from the interface MAC, ARP request (RFC 826) with sender and target IP both the VIP (RFC 5227
/// §3 "ARP Announcement") and, as keepalived does, a broadcast target MAC rather than zeros. The NIC pads the frame to
/// the 60-byte Ethernet minimum.
/// </summary>
internal static class GratuitousArpFrame
{
    /// <summary>Ethernet header (14) plus an Ethernet/IPv4 ARP packet (28).</summary>
    public const int Length = 42;

    private static readonly PhysicalAddress s_broadcast = new([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

    /// <summary>Builds the frame announcing that <paramref name="address"/> is at <paramref name="sourceMac"/>.</summary>
    /// <exception cref="ArgumentException">The address is not IPv4 or the MAC is not 6 bytes.</exception>
    public static byte[] Create(PhysicalAddress sourceMac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(sourceMac);
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"Gratuitous ARP is IPv4 only, got {address}; IPv6 uses a Neighbor Advertisement.", nameof(address));
        }

        if (sourceMac.GetAddressBytes().Length != 6)
        {
            throw new ArgumentException($"The source MAC '{sourceMac}' is not a 6-byte Ethernet address.", nameof(sourceMac));
        }

        var ethernet = new EthernetPacket(sourceMac, s_broadcast, EthernetType.Arp)
        {
            PayloadPacket = new ArpPacket(ArpOperation.Request, s_broadcast, address, sourceMac, address),
        };
        return ethernet.Bytes;
    }
}
