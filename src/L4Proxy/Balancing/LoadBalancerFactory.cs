using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>Creates the balancer for a backend's algorithm.</summary>
internal static class LoadBalancerFactory
{
    public static ILoadBalancer Create(BalanceAlgorithm algorithm, ProxyServer[] servers) => algorithm switch
    {
        BalanceAlgorithm.Source => new RendezvousHashBalancer(servers),
        BalanceAlgorithm.SourceMapBased => new MapSourceHashBalancer(servers),
        BalanceAlgorithm.RoundRobin => new RoundRobinBalancer(servers),
        BalanceAlgorithm.LeastConn => new LeastConnBalancer(servers),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown balance algorithm."),
    };
}
