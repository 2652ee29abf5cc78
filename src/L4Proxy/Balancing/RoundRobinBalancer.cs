namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// Weighted round robin: walks the interleaved <see cref="WeightedMap"/> with a shared counter (the client key is
/// ignored). Allocation-free; the map is rebuilt on up/down.
/// </summary>
internal sealed class RoundRobinBalancer : ILoadBalancer
{
    private readonly ProxyServer[] _servers;
    private readonly int _divisor;
    private readonly Lock _rebuild = new();
    private volatile ProxyServer[] _map;
    private uint _next;

    public RoundRobinBalancer(ProxyServer[] servers)
    {
        _servers = servers;
        _divisor = WeightedMap.WeightDivisor(servers);
        _map = WeightedMap.Build(servers, _divisor);
    }

    public ProxyServer? Pick(in ClientKey client, ulong excluded)
    {
        var map = _map;
        if (map.Length == 0)
        {
            return null;
        }

        return WeightedMap.FirstUsable(map, (int)((Interlocked.Increment(ref _next) - 1) % (uint)map.Length), excluded);
    }

    public void Rebuild()
    {
        lock (_rebuild)
        {
            _map = WeightedMap.Build(_servers, _divisor);
        }
    }
}
