namespace CloudCoreLb.L4Proxy.Options;

/// <summary>The transport a frontend listens on and a backend's servers are reached with.</summary>
public enum ProxyProtocol
{
    /// <summary>TCP streams, spliced between an accepted and a connected socket. The default.</summary>
    Tcp,

    /// <summary>
    /// UDP datagrams in flows keyed by the client's address and port (CloudCore's QUIC hub on 10001): one connected
    /// socket per flow towards the server the flow's first datagram was balanced to.
    /// </summary>
    Udp,
}
