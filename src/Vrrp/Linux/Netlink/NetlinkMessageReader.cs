using System.Buffers.Binary;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// Walks the messages of one received netlink datagram (a datagram may carry several, NLMSG_NEXT in netlink(3)).
/// A malformed length ends the walk instead of throwing: the kernel never sends one, and a reader that cannot be
/// confused is cheaper than one that must be trusted.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram) => _remaining = datagram;

    /// <summary>True when a malformed header stopped the walk early.</summary>
    public bool Malformed { get; private set; }

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_remaining.Length < NlMsgHeaderLength)
        {
            Malformed |= _remaining.Length != 0;
            _remaining = default;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_remaining);
        if (length < NlMsgHeaderLength || length > (uint)_remaining.Length)
        {
            Malformed = true;
            _remaining = default;
            return false;
        }

        message = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[12..]),
            _remaining[NlMsgHeaderLength..(int)length]);

        var next = Math.Min(Align((int)length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
