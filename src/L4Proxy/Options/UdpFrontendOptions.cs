namespace CloudCoreLb.L4Proxy.Options;

/// <summary>Settings of a UDP frontend (<see cref="FrontendOptions.Protocol"/> = <see cref="ProxyProtocol.Udp"/>).</summary>
public sealed class UdpFrontendOptions
{
    /// <summary>The largest datagram a UDP payload can carry (65535 − 8 UDP − 20 IPv4 header bytes).</summary>
    public const int MaxPayload = 65507;

    /// <summary>
    /// A flow (client address and port) with no datagram in either direction for this long is forgotten and its
    /// server socket closed. A QUIC connection may stay silent longer than this (its idle timeout is negotiated by
    /// the endpoints and is often longer): its next datagram then starts a new flow, which the consistent hash
    /// sends to the same server while that server is up, from a new proxy port, which the server sees as a NAT
    /// rebinding (QUIC identifies connections by connection ID, not by address). Set it above the edges' QUIC
    /// keep-alive period so live connections never lose their entry.
    /// <remarks>Defaults to 30 s.</remarks>
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Flows this frontend keeps at once; a datagram that would start one more is dropped and counted
    /// (<c>table_full</c>), established flows keep flowing. <remarks>Defaults to 10000.</remarks>
    /// </summary>
    public int MaxFlows { get; set; } = 10000;

    /// <summary>
    /// Flows one client address may hold at once (a flood of new source ports from one address cannot fill the
    /// table); beyond it new flows are dropped and counted (<c>source_limit</c>). Edges behind one NAT share an
    /// address, so leave room for them. <remarks>Defaults to 256.</remarks>
    /// </summary>
    public int MaxFlowsPerSource { get; set; } = 256;

    /// <summary>
    /// The largest datagram forwarded, either way; a larger one is dropped and counted (<c>oversize</c>). 1472 is a
    /// 1500-byte Ethernet MTU less the IPv4 and UDP headers: QUIC never sends more than its path MTU allows, and its
    /// path MTU probes larger than this are lost, as they would be on the wire.
    /// <remarks>Defaults to 1472, at most 65507.</remarks>
    /// </summary>
    public int MaxDatagramSize { get; set; } = 1472;
}
