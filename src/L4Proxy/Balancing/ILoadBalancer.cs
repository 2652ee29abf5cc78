namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// Picks a server of one backend for a new connection. Implementations are deterministic, allocation-free on
/// <see cref="Pick"/> and safe for concurrent callers; server up/down state is read live from
/// <see cref="ProxyServer.IsUsable"/>, and <see cref="Rebuild"/> is called after any state change.
/// </summary>
internal interface ILoadBalancer
{
    /// <summary>
    /// Picks a usable server, skipping those whose <see cref="ProxyServer.Index"/> bit is set in
    /// <paramref name="excluded"/> (servers a redispatching connection already tried). Returns null when no usable
    /// server is left.
    /// </summary>
    ProxyServer? Pick(in ClientKey client, ulong excluded);

    /// <summary>Recomputes derived tables after servers went up or down.</summary>
    void Rebuild();
}
