using System.Net;

namespace CloudCoreLb.L4Proxy.Options;

/// <summary>One listening address and the backend it forwards to (haproxy <c>frontend</c> in <c>mode tcp</c>).</summary>
public sealed class FrontendOptions
{
    /// <summary>Unique name used in logs, counters and status. <remarks>Required.</remarks></summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// Address to listen on: a wildcard (<c>0.0.0.0:10010</c>, haproxy <c>bind *:10010</c>) or the VIP itself. The
    /// socket is bound with <c>IP_FREEBIND</c>, so binding a VIP that is not (yet) on this node works without the
    /// <c>net.ipv4.ip_nonlocal_bind=1</c> sysctl haproxy setups need.
    /// <remarks>Required.</remarks>
    /// </summary>
    public IPEndPoint? Bind { get; set; }

    /// <summary>
    /// Kernel listen backlog, where connections wait while a connection limit is reached (capped by
    /// <c>net.core.somaxconn</c>). <remarks>Defaults to <see cref="MaxConnections"/> (haproxy).</remarks>
    /// </summary>
    public int? Backlog { get; set; }

    /// <summary>
    /// Concurrent connections this frontend serves; beyond it the listener pauses (haproxy frontend <c>maxconn</c>).
    /// <remarks>Defaults to 3000 (the seed's <c>defaults maxconn</c>).</remarks>
    /// </summary>
    public int MaxConnections { get; set; } = 3000;

    /// <summary>Name of the backend to forward to. <remarks>Required.</remarks></summary>
    public string Backend { get; set; } = "";

    /// <summary>
    /// Client-side inactivity timeout (haproxy <c>timeout client</c>): nothing read from or written to the client for
    /// this long closes the session. <remarks>Defaults to 60 s.</remarks>
    /// </summary>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Replaces <see cref="ClientTimeout"/> once the client has half-closed (haproxy <c>timeout client-fin</c>); it bounds
    /// how long a half-open session may linger. <remarks>Defaults to null: <see cref="ClientTimeout"/> (or the
    /// backend's tunnel timeout) keeps applying.</remarks>
    /// </summary>
    public TimeSpan? ClientFinTimeout { get; set; }

    /// <summary>
    /// Transport; must match the backend's. <remarks>Defaults to <see cref="ProxyProtocol.Tcp"/>.</remarks>
    /// </summary>
    public ProxyProtocol Protocol { get; set; } = ProxyProtocol.Tcp;

    /// <summary>UDP only: flow limits, idle timeout and datagram size. <remarks>Defaults to <see cref="UdpFrontendOptions"/>'s.</remarks></summary>
    public UdpFrontendOptions Udp { get; set; } = new();
}
