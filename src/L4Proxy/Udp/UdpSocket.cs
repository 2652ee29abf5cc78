using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>The datagram calls of the UDP data path on raw, non-blocking descriptors. Failures return -1 and the errno.</summary>
internal static unsafe class UdpSocket
{
    /// <summary>
    /// Binds a frontend's datagram socket as TCP listeners are bound: <c>SO_REUSEADDR</c> but never
    /// <c>SO_REUSEPORT</c> (a second process must not silently share the port) and <c>IP_FREEBIND</c>, so a backup
    /// binds the VIP before VRRP gives it the address.
    /// </summary>
    public static Socket Bind(IPEndPoint bind)
    {
        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            ListenSocketFactory.SetReuseAddressAndFreeBind(socket, bind.AddressFamily);
            socket.Bind(bind);
            socket.Blocking = false;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A non-blocking UDP socket connected to <paramref name="server"/>; -1 and the errno on failure.</summary>
    public static int OpenConnected(IPEndPoint server, out int error)
    {
        var fd = socket(server.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
        if (fd < 0)
        {
            error = errno;
            return -1;
        }

        // A UDP connect sends nothing: it fixes the peer (so only its datagrams arrive here) and picks the source.
        error = NativeSocket.Connect(fd, server);
        if (error != 0)
        {
            NativeSocket.Close(fd);
            return -1;
        }

        return fd;
    }

    /// <summary>
    /// Receives one datagram and its sender. Returns its real length, larger than <paramref name="buffer"/> when it
    /// was truncated (<c>MSG_TRUNC</c>), or -1.
    /// </summary>
    public static int ReceiveFrom(int fd, Span<byte> buffer, byte* sockaddr, out int sockaddrLength, out int error)
    {
        socklen_t length = PeerAddress.MaxLength;
        ssize_t n;
        fixed (byte* data = buffer)
        {
            n = recvfrom(fd, data, buffer.Length, MSG_TRUNC | MSG_DONTWAIT, (sockaddr*)sockaddr, &length);
        }

        sockaddrLength = (int)(uint)length;
        error = n < 0 ? errno : 0;
        return (int)n;
    }

    /// <summary>Receives one datagram from the connected peer; its real length (see <see cref="ReceiveFrom"/>) or -1.</summary>
    public static int Receive(int fd, Span<byte> buffer, out int error)
    {
        ssize_t n;
        fixed (byte* data = buffer)
        {
            n = recv(fd, data, buffer.Length, MSG_TRUNC | MSG_DONTWAIT);
        }

        error = n < 0 ? errno : 0;
        return (int)n;
    }

    /// <summary>Sends one datagram to the connected peer: 0 or the errno (ECONNREFUSED: the peer's port was unreachable).</summary>
    public static int Send(int fd, ReadOnlySpan<byte> datagram)
    {
        fixed (byte* data = datagram)
        {
            return send(fd, data, datagram.Length, MSG_DONTWAIT) >= 0 ? 0 : errno;
        }
    }

    /// <summary>Sends one datagram to <paramref name="sockaddr"/>: 0 or the errno.</summary>
    public static int SendTo(int fd, ReadOnlySpan<byte> datagram, byte[] sockaddr, int sockaddrLength)
    {
        fixed (byte* data = datagram)
        fixed (byte* to = sockaddr)
        {
            return sendto(fd, data, datagram.Length, MSG_DONTWAIT, (sockaddr*)to, (socklen_t)sockaddrLength) >= 0 ? 0 : errno;
        }
    }
}
