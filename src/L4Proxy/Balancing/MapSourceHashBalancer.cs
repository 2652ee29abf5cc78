namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// haproxy's <c>balance source</c> with <c>hash-type map-based</c>, exactly: server = map[h % total weight] with
/// h = <see cref="ClientKey.SourceHash"/> and the map of <see cref="WeightedMap"/>, rebuilt in full on every up/down
/// (docs/design/l4proxy.md §1.1-§1.2). Unlike haproxy, a redispatch skips servers already tried (haproxy's map lookup ignores
/// its <c>avoid</c> server and lands on the same server again): on a retry the slot walks forward to the next
/// untried server.
/// </summary>
internal sealed class MapSourceHashBalancer : ILoadBalancer
{
    private readonly ProxyServer[] _servers;
    private readonly int _divisor;
    private readonly Lock _rebuild = new();
    private volatile ProxyServer[] _map;

    public MapSourceHashBalancer(ProxyServer[] servers)
    {
        _servers = servers;
        _divisor = WeightedMap.WeightDivisor(servers);
        _map = WeightedMap.Build(servers, _divisor);
    }

    /// <summary>The current map, for tests and status.</summary>
    public ProxyServer[] Map => _map;

    public ProxyServer? Pick(in ClientKey client, ulong excluded)
    {
        var map = _map;
        if (map.Length == 0)
        {
            return null;
        }

        return WeightedMap.FirstUsable(map, (int)(client.SourceHash % (uint)map.Length), excluded);
    }

    public void Rebuild()
    {
        lock (_rebuild)
        {
            _map = WeightedMap.Build(_servers, _divisor);
        }
    }
}
