using System.Net;
using System.Net.Sockets;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding.Native;

/// <summary>
/// The socket calls of the data path on raw descriptors (Tmds.LibC): no <see cref="Socket"/> object, SafeHandle or
/// runtime epoll context per session. Every descriptor is non-blocking and close-on-exec. Failures return the errno.
/// </summary>
internal static unsafe class NativeSocket
{
    private static readonly int NonBlockingStream = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;

    /// <summary>Accepts one pending connection; -1 with <paramref name="error"/> set when none (EAGAIN) or on failure.</summary>
    public static int Accept(int listener, out PeerAddress peer, out int error)
    {
        var address = stackalloc byte[PeerAddress.MaxLength];
        socklen_t length = PeerAddress.MaxLength;
        var fd = accept4(listener, (sockaddr*)address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
        {
            error = errno;
            peer = default;
            return -1;
        }

        error = 0;
        peer = PeerAddress.Parse(address, (int)(uint)length);
        return fd;
    }

    /// <summary>Creates a non-blocking TCP socket for <paramref name="family"/>; -1 and the errno on failure.</summary>
    public static int OpenStream(AddressFamily family, out int error)
    {
        var fd = socket(family == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET, NonBlockingStream, IPPROTO_TCP);
        error = fd < 0 ? errno : 0;
        return fd;
    }

    /// <summary>Starts a connect: 0 when connected at once, EINPROGRESS while the handshake runs, else the errno.</summary>
    public static int Connect(int fd, IPEndPoint endPoint)
    {
        var address = stackalloc byte[PeerAddress.MaxLength];
        var length = PeerAddress.Write(endPoint, address);
        return connect(fd, (sockaddr*)address, (socklen_t)length) == 0 ? 0 : errno;
    }

    /// <summary>The pending error of a socket (<c>SO_ERROR</c>), which also tells how a non-blocking connect ended.</summary>
    public static int PendingError(int fd)
    {
        var value = 0;
        socklen_t length = sizeof(int);
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 ? value : errno;
    }

    /// <summary>Disables Nagle: proxied WebSocket frames must not wait for an ACK.</summary>
    public static int SetNoDelay(int fd)
    {
        var one = 1;
        return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(int)) == 0 ? 0 : errno;
    }

    /// <summary>
    /// haproxy's <c>tcp-smart-connect</c>: the ACK that completes our handshake is not sent on its own but rides on
    /// the first data we forward, one packet less per connection. Set before connect().
    /// </summary>
    public static int DelayHandshakeAck(int fd)
    {
        var zero = 0;
        return setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof(int)) == 0 ? 0 : errno;
    }

    /// <summary>Sends our FIN (half-close). Returns 0 or the errno: ENOTCONN means the peer reset meanwhile.</summary>
    public static int ShutdownWrite(int fd) => shutdown(fd, SHUT_WR) == 0 ? 0 : errno;

    /// <summary>Ends both directions whoever else holds the socket (a copy in a descriptor store): the peer sees the FIN.</summary>
    public static void ShutdownBoth(int fd) => _ = shutdown(fd, SHUT_RDWR);

    /// <summary>The connected peer of <paramref name="fd"/> (an adopted session's client); the default when unknown.</summary>
    public static PeerAddress PeerOf(int fd)
    {
        var address = stackalloc byte[PeerAddress.MaxLength];
        socklen_t length = PeerAddress.MaxLength;
        return getpeername(fd, (sockaddr*)address, &length) == 0 ? PeerAddress.Parse(address, (int)(uint)length) : default;
    }

    /// <summary>
    /// Whether <paramref name="fd"/> is a TCP stream socket, listening or not as <paramref name="listening"/> says: an
    /// inherited descriptor of another kind is refused before anything uses it.
    /// </summary>
    public static bool IsTcpSocket(int fd, bool listening)
    {
        int type = 0, protocol = 0, accepting = 0;
        socklen_t length = sizeof(int);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM)
        {
            return false;
        }

        length = sizeof(int);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0 || protocol != IPPROTO_TCP)
        {
            return false;
        }

        length = sizeof(int);
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && (accepting != 0) == listening;
    }

    /// <summary>The local address of a socket (which frontend accepted it).</summary>
    public static PeerAddress LocalOf(int fd)
    {
        var address = stackalloc byte[PeerAddress.MaxLength];
        socklen_t length = PeerAddress.MaxLength;
        return getsockname(fd, (sockaddr*)address, &length) == 0 ? PeerAddress.Parse(address, (int)(uint)length) : default;
    }

    /// <summary>
    /// Makes the last close(2) of the socket send a RST instead of a FIN: for a stream that lost bytes, so the peer
    /// sees an error instead of a stream that ended early but cleanly.
    /// </summary>
    public static void ResetOnClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, linger, 2 * sizeof(int));
    }

    /// <summary>Whether <paramref name="fd"/> is a pipe (a splice pipe of an adopted session).</summary>
    public static bool IsPipe(int fd)
    {
        stat st;
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO;
    }

    /// <summary>
    /// Closes the descriptor. On Linux close(2) releases it whatever it returns (even EINTR), and a socket has no
    /// buffered write to lose on error, so the result is not actionable.
    /// </summary>
    public static void Close(int fd) => _ = close(fd);
}
