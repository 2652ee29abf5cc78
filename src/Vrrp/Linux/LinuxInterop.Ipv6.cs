using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace CloudCoreLb.Vrrp.Linux;

// IPv6 socket options (linux/in6.h) and the one call .NET has no managed form of: recvmsg (Tmds.LibC) with the
// IPV6_HOPLIMIT control message. Socket.ReceiveMessageFrom parses IPV6_PKTINFO only, and RFC 5798 §7.1 needs the hop limit.
internal static partial class LinuxInterop
{
    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_MULTICAST_IF = 17;
    public const int IPV6_MULTICAST_HOPS = 18;
    public const int IPV6_MULTICAST_LOOP = 19;
    public const int IPV6_MULTICAST_ALL = 29;
    public const int IPV6_RECVPKTINFO = 49;
    public const int IPV6_PKTINFO = 50;
    public const int IPV6_RECVHOPLIMIT = 51;
    public const int IPV6_HOPLIMIT = 52;
    public const int IPV6_TCLASS = 67;

    // struct sockaddr_in6 is 28 bytes; 128 bytes of control hold in6_pktinfo and the hop limit with room to spare.
    private const int SockaddrIn6Length = 28;
    private const int ControlLength = 128;

    /// <summary>
    /// One non-blocking recvmsg on an IPv6 datagram socket with IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT on: false when
    /// nothing is queued (EAGAIN), so the caller waits for readability again.
    /// </summary>
    /// <exception cref="SocketException">recvmsg failed otherwise.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe bool TryReceiveIPv6(Socket socket, Span<byte> buffer, out VrrpDatagram datagram)
    {
        var handle = socket.SafeHandle;
        Span<byte> name = stackalloc byte[SockaddrIn6Length];
        Span<byte> control = stackalloc byte[ControlLength];
        name.Clear();
        control.Clear();
        var added = false;
        nint received;
        int flags;
        int errno;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = buffer)
            fixed (byte* namePointer = name)
            fixed (byte* controlPointer = control)
            {
                var vector = new iovec { iov_base = data, iov_len = buffer.Length };
                var message = new msghdr
                {
                    msg_name = namePointer,
                    msg_namelen = SockaddrIn6Length,
                    msg_iov = &vector,
                    msg_iovlen = 1,
                    msg_control = controlPointer,
                    msg_controllen = ControlLength,
                };
                do
                {
                    received = (nint)LibC.recvmsg((int)handle.DangerousGetHandle(), &message, LibC.MSG_DONTWAIT);
                    errno = received < 0 ? LibC.errno : 0;
                }
                while (errno == LibC.EINTR);

                flags = message.msg_flags;
                control = control[..(int)Math.Min((uint)message.msg_controllen, ControlLength)];
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        if (received < 0)
        {
            datagram = default;
            return errno == LibC.EAGAIN
                ? false
                : throw new SocketException((int)SocketError.SocketError, $"recvmsg failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        // sockaddr_in6: family, port, flowinfo, then the address at 8 and the scope id at 24.
        var source = new IPAddress(name.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(name[24..]));
        var (destination, hopLimit) = ReadControl(control);
        datagram = new VrrpDatagram((int)Math.Min(received, buffer.Length), destination, (flags & LibC.MSG_TRUNC) != 0, source, hopLimit);
        return true;
    }

    /// <summary>Walks the cmsghdr list (cmsg_len as size_t, level, type, data aligned to 8) for the two we asked for.</summary>
    private static (IPAddress Destination, int HopLimit) ReadControl(ReadOnlySpan<byte> control)
    {
        var destination = IPAddress.IPv6Any;
        var hopLimit = -1;
        const int headerLength = 16;
        var offset = 0;
        while (offset + headerLength <= control.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(control[offset..]);
            if (length < headerLength || offset + length > control.Length)
            {
                break;
            }

            var level = BinaryPrimitives.ReadInt32LittleEndian(control[(offset + 8)..]);
            var type = BinaryPrimitives.ReadInt32LittleEndian(control[(offset + 12)..]);
            var data = control.Slice(offset + headerLength, length - headerLength);
            if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && data.Length >= 20)
            {
                // struct in6_pktinfo { struct in6_addr ipi6_addr; int ipi6_ifindex; }
                destination = new IPAddress(data[..16], BinaryPrimitives.ReadInt32LittleEndian(data[16..]));
            }
            else if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT && data.Length >= 4)
            {
                hopLimit = BinaryPrimitives.ReadInt32LittleEndian(data);
            }

            offset += (length + 7) & ~7;
        }

        return (destination, hopLimit);
    }
}
