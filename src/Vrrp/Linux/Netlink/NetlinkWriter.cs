using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// Writes one netlink message (nlmsghdr, fixed family header, rtattrs) into a caller-owned span, in host byte order
/// (little-endian on every platform this daemon targets) as netlink requires. See netlink(7) and rtnetlink(7).
/// </summary>
internal ref struct NetlinkWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public NetlinkWriter(Span<byte> buffer, ushort type, ushort flags, uint sequence)
    {
        if (buffer.Length < NlMsgHeaderLength)
        {
            throw new ArgumentException("Buffer too small for a netlink header.", nameof(buffer));
        }

        _buffer = buffer;
        _buffer[..NlMsgHeaderLength].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[8..], sequence);
        // nlmsg_pid 0: the kernel fills in the port id of the sending socket.
        _length = NlMsgHeaderLength;
    }

    /// <summary>struct ifaddrmsg (linux/if_addr.h): family, prefixlen, flags, scope, index.</summary>
    public void WriteIfAddrMsg(byte family, byte prefixLength, byte flags, byte scope, int interfaceIndex)
    {
        var span = Reserve(IfAddrMsgLength);
        span[0] = family;
        span[1] = prefixLength;
        span[2] = flags;
        span[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], interfaceIndex);
    }

    /// <summary>struct ifinfomsg (linux/rtnetlink.h): family, pad, type, index, flags, change.</summary>
    public void WriteIfInfoMsg(byte family, int interfaceIndex)
    {
        var span = Reserve(IfInfoMsgLength);
        span.Clear();
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], interfaceIndex);
    }

    public void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var total = RtAttrHeaderLength + value.Length;
        var span = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[RtAttrHeaderLength..]);
        span[total..].Clear();
    }

    public void WriteAttribute(ushort type, byte value) => WriteAttribute(type, [value]);

    /// <summary>An IPv4 or IPv6 address attribute, network byte order as on the wire (no scope id: ifindex says it).</summary>
    public void WriteAttribute(ushort type, IPAddress address)
    {
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"Only IPv4 and IPv6 addresses are supported, got {address}.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        WriteAttribute(type, bytes[..length]);
    }

    /// <summary>A 32-bit attribute in host order (IFA_FLAGS).</summary>
    public void WriteAttribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute (IFA_LABEL, IFLA_IFNAME).</summary>
    public void WriteAttribute(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.ASCII.GetMaxByteCount(value.Length) + 1];
        var written = Encoding.ASCII.GetBytes(value, bytes);
        bytes[written] = 0;
        WriteAttribute(type, bytes[..(written + 1)]);
    }

    /// <summary>Writes nlmsg_len and returns the total message length.</summary>
    public readonly int Complete()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        return _length;
    }

    private Span<byte> Reserve(int length)
    {
        if (_length + length > _buffer.Length)
        {
            throw new ArgumentException("Netlink message does not fit in the buffer.");
        }

        var span = _buffer.Slice(_length, length);
        _length += length;
        return span;
    }
}
