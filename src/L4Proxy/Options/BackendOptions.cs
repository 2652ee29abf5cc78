namespace CloudCoreLb.L4Proxy.Options;

/// <summary>A server pool (haproxy <c>backend</c> in <c>mode tcp</c>).</summary>
public sealed class BackendOptions
{
    /// <summary>Unique name. <remarks>Required.</remarks></summary>
    public string Name { get; set; } = "";

    /// <summary>Server selection. <remarks>Defaults to <see cref="BalanceAlgorithm.Source"/> (consistent).</remarks></summary>
    public BalanceAlgorithm Balance { get; set; } = BalanceAlgorithm.Source;

    /// <summary>Servers in declaration order (order matters for <see cref="BalanceAlgorithm.SourceMapBased"/>).</summary>
    public IList<ServerOptions> Servers { get; set; } = new List<ServerOptions>();

    /// <summary>
    /// Extra connect attempts after a refused or timed-out connect (haproxy <c>retries</c>); nothing is replayed
    /// after a connection is established. <remarks>Defaults to 3.</remarks>
    /// </summary>
    public int Retries { get; set; } = 3;

    /// <summary>
    /// Retry on the next server in the client's preference order instead of the same server (haproxy
    /// <c>option redispatch</c>, but on every retry rather than only the last one, so a connect succeeds whenever
    /// any server is up). <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool Redispatch { get; set; } = true;

    /// <summary>
    /// haproxy's <c>option tcp-smart-connect</c>: the ACK completing the handshake with a server is delayed so it
    /// rides on the first forwarded data (one packet less per connection, about 12 % less CPU in the backend on
    /// short connections). Only for client-first protocols (CloudCore's are: WebSocket, TLS): a server that speaks
    /// first never sees the connection complete until the client sends, so it is off by default, as in haproxy.
    /// <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool SmartConnect { get; set; }

    /// <summary>Per connect attempt (haproxy <c>timeout connect</c>). <remarks>Defaults to 10 s.</remarks></summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Server-side inactivity timeout (haproxy <c>timeout server</c>). <remarks>Defaults to 60 s.</remarks></summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Once connected, replaces both client and server timeouts (haproxy <c>timeout tunnel</c>); set it for long-lived
    /// WebSockets such as the KubeEdge hub. <remarks>Defaults to null (client/server timeouts apply).</remarks>
    /// </summary>
    public TimeSpan? TunnelTimeout { get; set; }

    /// <summary>
    /// Replaces the server-side timeout once the server has half-closed (haproxy <c>timeout server-fin</c>).
    /// <remarks>Defaults to null.</remarks>
    /// </summary>
    public TimeSpan? ServerFinTimeout { get; set; }

    /// <summary>
    /// Abort a server's established sessions when its health check marks it down (haproxy
    /// <c>on-marked-down shutdown-sessions</c>). <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool OnMarkedDownShutdownSessions { get; set; }

    /// <summary>Check settings servers inherit unless they override them.</summary>
    public ServerHealthDefaults Health { get; set; } = new();

    /// <summary>
    /// Transport to the servers; must match the frontends using the backend. A UDP backend's servers run no active
    /// check of their own: they take the health of their host (the TCP checks of the servers grouped with them, see
    /// <see cref="ProxyOptions.GroupServersByHost"/>), so a CloudCore down on 10000 is down for 10001.
    /// <remarks>Defaults to <see cref="ProxyProtocol.Tcp"/>.</remarks>
    /// </summary>
    public ProxyProtocol Protocol { get; set; } = ProxyProtocol.Tcp;
}
