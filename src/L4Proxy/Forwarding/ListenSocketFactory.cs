using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Creates listening sockets the way a VRRP-fronted proxy needs them.</summary>
internal static class ListenSocketFactory
{
    // <linux/in.h> IP_FREEBIND, <linux/in6.h> IPV6_FREEBIND (Linux 4.15+), <asm-generic/socket.h> SO_REUSEADDR.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int IpFreeBind = 15;
    private const int Ipv6FreeBind = 78;

    /// <summary>
    /// Binds with <c>SO_REUSEADDR</c> only (restart while old sessions sit in TIME_WAIT; never <c>SO_REUSEPORT</c>, so
    /// a port held by another process is an error) and <c>IP_FREEBIND</c>, the
    /// per-socket equivalent of <c>net.ipv4.ip_nonlocal_bind=1</c>: a backup node can listen on the VIP before VRRP
    /// moves the address to it (docs/design/kubeedge.md §10).
    /// </summary>
    public static Socket Create(IPEndPoint bind, int backlog)
    {
        var socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                SetReuseAddressAndFreeBind(socket, bind.AddressFamily);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one setsockopt per session less.
            socket.NoDelay = true;
            socket.Bind(bind);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>SO_REUSEADDR</c> set raw, because .NET's ReuseAddress also sets <c>SO_REUSEPORT</c> on Linux, which would
    /// let a second instance (or a reload) silently share the port and split its queue; and <c>IP_FREEBIND</c> /
    /// <c>IPV6_FREEBIND</c>, so the VIP can be bound before VRRP adds it. TCP listeners and UDP frontends alike.
    /// </summary>
    public static void SetReuseAddressAndFreeBind(Socket socket, AddressFamily family)
    {
        Span<byte> one = [1, 0, 0, 0];
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, one);
        if (family == AddressFamily.InterNetwork)
        {
            socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpFreeBind, one);
        }
        else
        {
            socket.SetRawSocketOption((int)SocketOptionLevel.IPv6, Ipv6FreeBind, one);
        }
    }

    /// <summary>
    /// Takes over a listening socket a previous process bound (an upgrade): not one SYN in its accept queue is lost.
    /// Throws when the descriptor is not a listening TCP socket on <paramref name="bind"/> (any port when it is 0).
    /// </summary>
    public static Socket Adopt(int fd, IPEndPoint bind)
    {
        if (!Native.NativeSocket.IsTcpSocket(fd, listening: true))
        {
            throw new InvalidOperationException($"inherited descriptor {fd} for {bind} is not a listening TCP socket");
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        if (!local.Address.Equals(bind.Address) || (bind.Port != 0 && local.Port != bind.Port))
        {
            // Ours to close: the caller binds afresh.
            socket.Dispose();
            throw new InvalidOperationException($"inherited listener is bound to {local}, the configuration says {bind}");
        }

        return socket;
    }
}
