using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// The 42-byte gratuitous ARP request keepalived sends for a VIP (docs/design/vrrp.md §6): Ethernet broadcast from the interface
/// MAC, ARP request (RFC 826) with sender and target IP both the VIP (RFC 5227 §3 "ARP Announcement") and, as
/// keepalived does, a broadcast target MAC. The NIC pads the frame to the 60-byte Ethernet minimum.
/// </summary>
internal static class GratuitousArpFrame
{
    public const int Length = 42;

    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort HardwareTypeEthernet = 1;
    private const ushort OperationRequest = 1;

    /// <summary>Writes the frame into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, PhysicalAddress sourceMac, IPAddress address) =>
        Write(destination, sourceMac.GetAddressBytes(), address);

    /// <summary>Writes the frame into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ReadOnlySpan<byte> sourceMac, IPAddress address)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The frame needs {Length} bytes.", nameof(destination));
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"Gratuitous ARP is IPv4 only, got {address}.", nameof(address));
        }

        if (sourceMac.Length != 6)
        {
            throw new ArgumentException($"The source MAC has {sourceMac.Length} bytes, not 6.", nameof(sourceMac));
        }

        var mac = sourceMac;

        var frame = destination[..Length];

        // Ethernet II header.
        frame[..6].Fill(0xFF);
        mac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);

        // ARP (RFC 826): htype, ptype, hlen, plen, oper, sha, spa, tha, tpa.
        var arp = frame[14..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherTypeIPv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], OperationRequest);
        mac.CopyTo(arp[8..]);
        address.TryWriteBytes(arp[14..18], out _);
        arp[18..24].Fill(0xFF);
        address.TryWriteBytes(arp[24..28], out _);
    }
}
