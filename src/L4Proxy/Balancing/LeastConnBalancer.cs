namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// Fewest active connections per unit of weight (compared as active_a x weight_b &lt; active_b x weight_a, no
/// division). Equal candidates are broken by a rotating start so idle servers share new connections.
/// </summary>
internal sealed class LeastConnBalancer : ILoadBalancer
{
    private readonly ProxyServer[] _servers;
    private uint _rotation;

    public LeastConnBalancer(ProxyServer[] servers) => _servers = servers;

    public ProxyServer? Pick(in ClientKey client, ulong excluded)
    {
        var servers = _servers;
        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)servers.Length);
        ProxyServer? best = null;
        long bestActive = 0;
        for (var i = 0; i < servers.Length; i++)
        {
            var server = servers[(start + i) % servers.Length];
            if (server.Backup || server.Weight == 0 || (excluded & server.Bit) != 0 || !server.IsUsable)
            {
                continue;
            }

            var active = server.Counters.Active;
            if (best is null || active * best.Weight < bestActive * server.Weight)
            {
                best = server;
                bestActive = active;
            }
        }

        return best ?? BackupSelector.FirstUsableBackup(servers, excluded);
    }

    public void Rebuild()
    {
    }
}
