using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Creates listening sockets the way a VRRP-fronted proxy needs them.</summary>
internal static class ListenSocketFactory
{
    // <linux/in.h> IP_FREEBIND, <linux/in6.h> IPV6_FREEBIND (Linux 4.15+).
    private const int IpFreeBind = 15;
    private const int Ipv6FreeBind = 78;

    /// <summary>
    /// Binds with <c>SO_REUSEADDR</c> (restart while old sessions sit in TIME_WAIT) and <c>IP_FREEBIND</c>, the
    /// per-socket equivalent of <c>net.ipv4.ip_nonlocal_bind=1</c>: a backup node can listen on the VIP before VRRP
    /// moves the address to it (kubeedge.md §10).
    /// </summary>
    public static Socket Create(IPEndPoint bind, int backlog)
    {
        var socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (OperatingSystem.IsLinux())
            {
                Span<byte> one = [1, 0, 0, 0];
                if (bind.AddressFamily == AddressFamily.InterNetwork)
                {
                    socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpFreeBind, one);
                }
                else
                {
                    socket.SetRawSocketOption((int)SocketOptionLevel.IPv6, Ipv6FreeBind, one);
                }
            }

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
}
