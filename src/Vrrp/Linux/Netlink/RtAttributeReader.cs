using System.Buffers.Binary;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>Walks the rtattr list after a family header (RTA_OK / RTA_NEXT in rtnetlink(3)).</summary>
internal ref struct RtAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public RtAttributeReader(ReadOnlySpan<byte> attributes) => _remaining = attributes;

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_remaining.Length < RtAttrHeaderLength)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        if (length < RtAttrHeaderLength || length > _remaining.Length)
        {
            _remaining = default;
            return false;
        }

        // The top bits are NLA_F_NESTED / NLA_F_NET_BYTEORDER; none of the attributes we read use them.
        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]) & 0x3FFF);
        value = _remaining[RtAttrHeaderLength..length];
        _remaining = _remaining[Math.Min(Align(length), _remaining.Length)..];
        return true;
    }
}
