namespace CloudCoreLb.L4Proxy.Options;

/// <summary>
/// The whole L4 proxy: what the seed haproxy.cfg's <c>global</c>, <c>frontend</c> and <c>backend</c> sections say.
/// Validate with <see cref="ProxyOptionsValidator"/> (the runtime does it on start and reload).
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>
    /// Process-wide limit of concurrent client connections (haproxy global <c>maxconn</c>). When reached every
    /// listener stops accepting and new connections wait in the kernel backlog until one ends.
    /// <remarks>Defaults to 4000 (the seed haproxy.cfg).</remarks>
    /// </summary>
    public int MaxConnections { get; set; } = 4000;

    /// <summary>Listeners. <remarks>Defaults to none.</remarks></summary>
    public IList<FrontendOptions> Frontends { get; set; } = new List<FrontendOptions>();

    /// <summary>Server pools. <remarks>Defaults to none.</remarks></summary>
    public IList<BackendOptions> Backends { get; set; } = new List<BackendOptions>();

    /// <summary>
    /// Treat servers with the same host address in different backends as one host (KubeEdge #3439, #5784: an edge's
    /// 10000 hub and 10004 stream connections must reach the same CloudCore). The consistent hash is then computed
    /// over host addresses, so a client maps to the same host on every port, and a host is down for every backend as
    /// soon as the active check of any of its grouped servers says down.
    /// <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool GroupServersByHost { get; set; } = true;

    /// <summary>
    /// Forward with splice(2) (socket -> pipe -> socket in the kernel) instead of copying through user-space buffers.
    /// Measured on loopback (iperf3, 2 shared vCPUs): about 10-12 Gbit/s against 7-9 for the copy path and 7-9 for
    /// haproxy 2.6. Pipes are rented only while bytes are in flight; if none can be created a session falls back to
    /// copying. Ignored off Linux; read at start (a reload keeps the running data path).
    /// <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool Splice { get; set; } = true;

    /// <summary>
    /// Event-loop threads (haproxy's <c>nbthread</c>): each owns its sessions from accept to close, with no lock or
    /// thread-pool hand-off on the data path. 0 = one per CPU the process may use. Read at start (a reload keeps the
    /// running loops).
    /// <remarks>Defaults to 0 (one per CPU), at most 64.</remarks>
    /// </summary>
    public int Threads { get; set; }

    /// <summary>
    /// How long <c>StopAsync</c> lets established connections finish before aborting them.
    /// <remarks>Defaults to 5 s.</remarks>
    /// </summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
