using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Native;
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

    /// <summary>Sends one datagram to the connected peer: 0 or the errno (ECONNREFUSED: the peer's port was unreachable).</summary>
    public static int Send(int fd, ReadOnlySpan<byte> datagram)
    {
        fixed (byte* data = datagram)
        {
            return send(fd, data, datagram.Length, MSG_DONTWAIT) >= 0 ? 0 : errno;
        }
    }
}
