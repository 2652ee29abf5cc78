using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>
/// One client address and port of a UDP frontend, and its connected socket towards the server it was balanced to:
/// the kernel delivers that server's replies on this socket only, so a reply finds its client without a lookup.
/// </summary>
internal sealed class UdpFlow(PeerAddress client) : IEpollHandler
{
    /// <summary>The client's <c>sockaddr</c>, replies' destination; written once, from the first datagram.</summary>
    public readonly byte[] ClientSockaddr = new byte[PeerAddress.MaxLength];

    public PeerAddress Client { get; } = client;

    public int ClientSockaddrLength { get; set; }

    /// <summary>The frontend that owns the flow; null in table-only tests.</summary>
    public UdpFrontend? Frontend { get; set; }

    /// <summary>The server datagrams go to now; null until dispatched, and after its server refused one.</summary>
    public ProxyServer? Server { get; set; }

    /// <summary>The connected socket towards <see cref="Server"/>, -1 when none.</summary>
    public int Fd { get; set; } = -1;

    /// <summary>The slot of this flow in its loop, -1 when not registered.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>Servers that answered this flow with ICMP port unreachable (the bits of <see cref="ProxyServer.Bit"/>).</summary>
    public ulong Excluded { get; set; }

    public long LastActive { get; set; }

    internal UdpFlow? Older { get; set; }

    internal UdpFlow? Newer { get; set; }

    public void OnEvents(EpollToken token, uint events) => Frontend?.OnFlowReadable(this);

    public void OnTick(long now)
    {
        // Expiry is the frontend's: one pass over its flows in age order, not a call per flow.
    }

    public void OnFault(Exception exception) => Frontend?.OnFlowFault(this, exception);
}
