using System.Buffers.Binary;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// The fixed 8-byte header of a VRRPv3 message (RFC 5798 §5.1), followed on the wire by <see cref="AddressCount"/>
/// IPv4 or IPv6 addresses (the family of the IP packet, §5.2.9) and nothing else: version 3 has no authentication
/// data.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
/// |(rsvd) |     Max Adver Int     |          Checksum             |
/// |                       IPvX Address(es)                        |
/// </code>
/// </summary>
internal readonly record struct VrrpV3Advertisement(
    byte Version,
    byte Type,
    byte VirtualRouterId,
    byte Priority,
    byte AddressCount,
    ushort MaxAdvertIntervalCentiseconds,
    ushort Checksum)
{
    /// <summary>Length of the fixed header (RFC 5798 §5.1).</summary>
    public const int HeaderLength = 8;

    /// <summary>Protocol version (RFC 5798 §5.2.1).</summary>
    public const byte Version3 = 3;

    /// <summary>
    /// The interval is the low 12 bits of bytes 4-5; the top 4 bits are reserved, sent as zero and ignored on receipt
    /// (RFC 5798 §5.2.6, §5.2.7).
    /// </summary>
    public const ushort MaxAdvertIntervalMask = 0x0FFF;

    /// <summary>Largest interval the field holds: 4095 cs, 40.95 s (RFC 5798 §5.2.7).</summary>
    public const ushort MaxAdvertIntervalLimit = MaxAdvertIntervalMask;

    /// <summary>Group of IPv4 VRRPv3 adverts (RFC 5798 §5.1.1.2), the same as VRRPv2's.</summary>
    public static System.Net.IPAddress IPv4Group { get; } = System.Net.IPAddress.Parse("224.0.0.18");

    /// <summary>Group of IPv6 VRRPv3 adverts (RFC 5798 §5.1.2.2).</summary>
    public static System.Net.IPAddress IPv6Group { get; } = System.Net.IPAddress.Parse("ff02::12");

    /// <summary>Length of a message carrying <paramref name="addressCount"/> addresses of <paramref name="family"/>.</summary>
    public static int GetLength(int addressCount, AddressFamily family) => HeaderLength + (addressCount * GetAddressLength(family));

    /// <summary>4 for IPv4, 16 for IPv6.</summary>
    /// <exception cref="ArgumentException">Another family.</exception>
    public static int GetAddressLength(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 4,
        AddressFamily.InterNetworkV6 => 16,
        _ => throw new ArgumentException($"VRRPv3 carries IPv4 or IPv6 addresses, not {family}.", nameof(family)),
    };

    /// <summary>Reads the fixed header; false when fewer than 8 bytes are available.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out VrrpV3Advertisement advertisement)
    {
        if (message.Length < HeaderLength)
        {
            advertisement = default;
            return false;
        }

        advertisement = new VrrpV3Advertisement(
            (byte)(message[0] >> 4),
            (byte)(message[0] & 0x0F),
            message[1],
            message[2],
            message[3],
            (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & MaxAdvertIntervalMask),
            BinaryPrimitives.ReadUInt16BigEndian(message[VrrpAdvertisement.ChecksumOffset..]));
        return true;
    }
}
