using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The unix stream socket between the running process and the one replacing it: length-prefixed frames
/// (<c>u32 length, u32 type, payload</c>, host byte order: both ends run on this machine), each optionally carrying
/// descriptors as SCM_RIGHTS ancillary data (unix(7)). The kernel attaches the descriptors to the frame's first byte
/// and never merges them into a read that started earlier, so reading a header with recvmsg(2) receives exactly that
/// frame's descriptors. Blocking calls bounded by the socket's receive timeout.
/// </summary>
internal sealed unsafe class HandoverChannel : IDisposable
{
    /// <summary>SCM_MAX_FD is 253 per message; keep a margin.</summary>
    public const int MaxDescriptorsPerFrame = 250;

    /// <summary>No frame but the state's memfd description is large; a bigger header is a corrupt stream.</summary>
    private const int MaxPayload = 1 << 20;

    private const int HeaderSize = 8;
    private readonly Socket _socket;

    public HandoverChannel(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _socket.Blocking = true;
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        _socket.SendTimeout = (int)timeout.TotalMilliseconds;
    }

    /// <summary>The process at the other end (SO_PEERCRED): the parent only talks to the child it started.</summary>
    public int PeerPid
    {
        get
        {
            ucred credentials;
            socklen_t length = (uint)sizeof(ucred);
            return getsockopt(Fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 ? credentials.pid : -1;
        }
    }

    private int Fd => (int)_socket.Handle;

    public void Send(HandoverFrameType type, string text, ReadOnlySpan<int> fds = default) => Send(type, Encoding.UTF8.GetBytes(text), fds);

    public void Send(HandoverFrameType type, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default)
    {
        if (fds.Length > MaxDescriptorsPerFrame)
        {
            throw new ArgumentOutOfRangeException(nameof(fds), $"at most {MaxDescriptorsPerFrame} descriptors per frame");
        }

        var frame = new byte[HeaderSize + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)type);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        var controlLength = AncillaryDescriptors.ControlLength(fds.Length);
        var control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        fixed (byte* data = frame)
        {
            var sent = 0;
            while (sent < frame.Length)
            {
                var iov = new iovec { iov_base = data + sent, iov_len = (size_t)(frame.Length - sent) };
                var message = new msghdr { msg_iov = &iov, msg_iovlen = 1 };
                if (sent == 0)
                {
                    // The kernel attaches the descriptors to the first byte sent; a short write resends only bytes.
                    AncillaryDescriptors.Attach(&message, control, controlLength, fds);
                }

                var n = (long)sendmsg(Fd, &message, MSG_NOSIGNAL);
                if (n < 0)
                {
                    var error = errno;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    throw new IOException($"upgrade channel: sendmsg failed: {new SocketException(error).Message}");
                }

                sent += (int)n;
            }
        }
    }

    /// <summary>Best effort: the other end may be gone already.</summary>
    public void TrySend(HandoverFrameType type, string text)
    {
        try
        {
            Send(type, text);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Reads the next frame, which must be <paramref name="expected"/>; it carries no descriptors (any are closed).
    /// Returns its payload.
    /// </summary>
    /// <exception cref="HandoverRefusedException">The other side refused (with its reason) or sent another frame.</exception>
    public byte[] Expect(HandoverFrameType expected)
    {
        var (type, payload, fds) = Receive();
        Close(fds);
        return type == expected ? payload
            : throw new HandoverRefusedException(type == HandoverFrameType.Refuse ? Encoding.UTF8.GetString(payload) : $"unexpected {type} frame");
    }

    /// <summary>Reads the next frame with its descriptors (close-on-exec); throws on end of stream, timeout or corruption.</summary>
    public (HandoverFrameType Type, byte[] Payload, int[] Fds) Receive()
    {
        var header = new byte[HeaderSize];
        var fds = ReceiveHeader(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var type = (HandoverFrameType)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (length > MaxPayload || !Enum.IsDefined(type))
        {
            Close(fds);
            throw new InvalidDataException($"upgrade channel: corrupt frame header (type {(uint)type}, length {length})");
        }

        var payload = new byte[length];
        var read = 0;
        while (read < payload.Length)
        {
            var n = _socket.Receive(payload, read, payload.Length - read, SocketFlags.None);
            if (n == 0)
            {
                Close(fds);
                throw new EndOfStreamException("upgrade channel: the other process went away in the middle of a frame");
            }

            read += n;
        }

        return (type, payload, fds);
    }

    public static void Close(ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds)
        {
            _ = close(fd);
        }
    }

    public void Dispose() => _socket.Dispose();

    private int[] ReceiveHeader(byte[] header)
    {
        var controlLength = (int)CMSG_SPACE(MaxDescriptorsPerFrame * sizeof(int));
        var control = stackalloc byte[controlLength];
        var received = new List<int>();
        var read = 0;
        fixed (byte* data = header)
        {
            while (read < HeaderSize)
            {
                var iov = new iovec { iov_base = data + read, iov_len = (size_t)(HeaderSize - read) };
                var message = new msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = (socklen_t)controlLength };
                var n = (long)recvmsg(Fd, &message, MSG_CMSG_CLOEXEC);
                if (n < 0)
                {
                    var error = errno;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    Close([.. received]);
                    throw error == EAGAIN
                        ? new TimeoutException("upgrade channel: the other process did not answer in time")
                        : new IOException($"upgrade channel: recvmsg failed: {new SocketException(error).Message}");
                }

                for (var c = CMSG_FIRSTHDR(&message); c != null; c = CMSG_NXTHDR(&message, c))
                {
                    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                    {
                        var count = ((int)(uint)c->cmsg_len - (int)CMSG_ALIGN(sizeof(cmsghdr))) / sizeof(int);
                        received.AddRange(new ReadOnlySpan<int>(CMSG_DATA(c), count));
                    }
                }

                if ((message.msg_flags & MSG_CTRUNC) != 0)
                {
                    Close([.. received]);
                    throw new InvalidDataException("upgrade channel: descriptors were truncated (more than one frame's worth)");
                }

                if (n == 0)
                {
                    Close([.. received]);
                    throw new EndOfStreamException("upgrade channel: the other process went away");
                }

                read += (int)n;
            }
        }

        return [.. received];
    }
}
