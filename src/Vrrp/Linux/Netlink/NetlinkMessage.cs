using System.Buffers.Binary;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>One netlink message inside a received datagram: the nlmsghdr fields and the payload after it.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>
    /// For an NLMSG_ERROR message, the error code: 0 is an ACK, otherwise a negative errno (netlink(7)).
    /// </summary>
    public bool TryGetError(out int error)
    {
        if (Type != NLMSG_ERROR || Payload.Length < 4)
        {
            error = 0;
            return false;
        }

        error = BinaryPrimitives.ReadInt32LittleEndian(Payload);
        return true;
    }
}
