using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>Runtime state of one backend: its servers, balancer and aggregated counters.</summary>
internal sealed class ProxyBackend
{
    private ILoadBalancer? _balancer;

    public ProxyBackend(BackendOptions options)
    {
        Options = options;
        Name = options.Name;
    }

    public string Name { get; }

    public BackendOptions Options { get; }

    public ProxyServer[] Servers { get; private set; } = [];

    public ILoadBalancer Balancer => _balancer!;

    public ServerCounters Counters { get; } = new();

    /// <summary>Creates the servers; host groups are attached by the caller before <see cref="CreateBalancer"/>.</summary>
    /// <param name="groupByHost">Use the host address as hash identity.</param>
    /// <param name="previous">Servers of the configuration being replaced, by "backend/server".</param>
    public void CreateServers(bool groupByHost, IReadOnlyDictionary<string, ProxyServer>? previous = null)
    {
        var servers = new ProxyServer[Options.Servers.Count];
        for (var i = 0; i < servers.Length; i++)
        {
            var options = Options.Servers[i];
            var identity = options.HashKey
                ?? (groupByHost ? options.EndPoint!.Address.ToString() : options.EndPoint!.ToString());
            ProxyServer? old = null;
            if (previous is not null && previous.TryGetValue($"{Name}/{options.Name}", out var candidate) && candidate.EndPoint.Equals(options.EndPoint))
            {
                old = candidate;
            }

            servers[i] = new ProxyServer(this, i, options, identity, old);
        }

        Servers = servers;
    }

    public void CreateBalancer() => _balancer = LoadBalancerFactory.Create(Options.Balance, Servers);

    /// <summary>Any server usable now.</summary>
    public bool HasUsableServer()
    {
        foreach (var server in Servers)
        {
            if (server.Weight > 0 && server.IsUsable)
            {
                return true;
            }
        }

        return false;
    }
}
