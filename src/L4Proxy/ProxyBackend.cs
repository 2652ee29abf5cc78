using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Runtime state of one backend: its servers, balancer and aggregated counters, all built by the constructor. A
/// reload builds a new backend from the new options (servers that stay carry their health and counters over) and
/// swaps it in; sessions keep the one they started with.
/// </summary>
internal sealed class ProxyBackend
{
    /// <param name="options">The backend's options.</param>
    /// <param name="hostOf">The host group of a server address when servers are grouped by host, else null.</param>
    /// <param name="previous">Servers of the configuration being replaced, by "backend/server".</param>
    public ProxyBackend(BackendOptions options, Func<System.Net.IPAddress, HostGroup>? hostOf = null, IReadOnlyDictionary<string, ProxyServer>? previous = null)
    {
        Options = options;
        Name = options.Name;
        var servers = new ProxyServer[options.Servers.Count];
        for (var i = 0; i < servers.Length; i++)
        {
            var server = options.Protocol == ProxyProtocol.Udp ? Udp.UdpServers.WithHostHealth(options.Servers[i]) : options.Servers[i];
            var endPoint = server.EndPoint!;
            var identity = server.HashKey ?? (hostOf is not null ? endPoint.Address.ToString() : endPoint.ToString());
            ProxyServer? old = null;
            if (previous is not null && previous.TryGetValue($"{Name}/{server.Name}", out var candidate) && candidate.EndPoint.Equals(endPoint))
            {
                old = candidate;
            }

            servers[i] = new ProxyServer(this, i, server, identity, hostOf?.Invoke(endPoint.Address), old);
        }

        Servers = servers;
        Balancer = LoadBalancerFactory.Create(options.Balance, servers);
    }

    public string Name { get; }

    public BackendOptions Options { get; }

    public ProxyServer[] Servers { get; }

    public ILoadBalancer Balancer { get; }

    public ServerCounters Counters { get; } = new();

    /// <summary>How many servers take new sessions now.</summary>
    public int UsableServers()
    {
        var count = 0;
        foreach (var server in Servers)
        {
            if (server.IsUsable)
            {
                count++;
            }
        }

        return count;
    }

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
