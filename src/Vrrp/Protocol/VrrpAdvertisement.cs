using System.Buffers.Binary;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>
/// The fixed 8-byte header of a VRRPv2 message (RFC 3768 §5.1), followed on the wire by
/// <see cref="AddressCount"/> IPv4 addresses and 8 bytes of authentication data:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
/// |   Auth Type   |   Adver Int   |          Checksum             |
/// |                         IP Address (1)                        |
/// |                            ...                                |
/// |                     Authentication Data (1)                   |
/// |                     Authentication Data (2)                   |
/// </code>
/// </summary>
internal readonly record struct VrrpAdvertisement(
    byte Version,
    byte Type,
    byte VirtualRouterId,
    byte Priority,
    byte AddressCount,
    byte AuthType,
    byte AdvertIntervalSeconds,
    ushort Checksum)
{
    /// <summary>Length of the fixed header.</summary>
    public const int HeaderLength = 8;

    /// <summary>Authentication data is always 8 bytes in VRRPv2, zero when unused (RFC 3768 §5.3.10).</summary>
    public const int AuthDataLength = 8;

    /// <summary>Protocol version this codec speaks (RFC 3768 §5.3.1).</summary>
    public const byte Version2 = 2;

    /// <summary>The only packet type defined (RFC 3768 §5.3.2).</summary>
    public const byte TypeAdvertisement = 1;

    /// <summary>Priority a master sends when it releases the virtual router (RFC 3768 §5.3.4).</summary>
    public const byte PriorityRelease = 0;

    /// <summary>Priority of the address owner (RFC 3768 §5.3.4).</summary>
    public const byte PriorityOwner = 255;

    /// <summary>Offset of the priority byte, patched when the effective priority changes.</summary>
    public const int PriorityOffset = 2;

    /// <summary>Offset of the 16-bit checksum.</summary>
    public const int ChecksumOffset = 6;

    /// <summary>Length of a VRRPv2 message carrying <paramref name="addressCount"/> addresses.</summary>
    public static int GetLength(int addressCount) => HeaderLength + (4 * addressCount) + AuthDataLength;

    /// <summary>Reads the fixed header; false when fewer than 8 bytes are available.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out VrrpAdvertisement advertisement)
    {
        if (message.Length < HeaderLength)
        {
            advertisement = default;
            return false;
        }

        advertisement = new VrrpAdvertisement(
            (byte)(message[0] >> 4),
            (byte)(message[0] & 0x0F),
            message[1],
            message[2],
            message[3],
            message[4],
            message[5],
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]));
        return true;
    }

    /// <summary>The <paramref name="index"/>th address of a message, host order.</summary>
    public static uint ReadAddress(ReadOnlySpan<byte> message, int index) =>
        BinaryPrimitives.ReadUInt32BigEndian(message[(HeaderLength + (4 * index))..]);

    /// <summary>The 8 authentication bytes of a message carrying <paramref name="addressCount"/> addresses.</summary>
    public static ReadOnlySpan<byte> GetAuthData(ReadOnlySpan<byte> message, int addressCount) =>
        message.Slice(HeaderLength + (4 * addressCount), AuthDataLength);
}
