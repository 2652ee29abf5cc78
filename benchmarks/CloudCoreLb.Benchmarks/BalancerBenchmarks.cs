using System.Net;
using BenchmarkDotNet.Attributes;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// One server pick per new connection: the consistent-hash (rendezvous) selector against haproxy's map-based one, for
/// the seed's 3 CloudCores and a 64-server worst case, with IPv4 and IPv6 clients. Each operation hashes the client
/// address (<see cref="ClientKey.From(IPAddress)"/>, done once per connection in the proxy) and picks; 256 distinct
/// clients rotate so branch predictors do not learn one answer.
/// </summary>
[MemoryDiagnoser]
public class BalancerBenchmarks
{
    private const int Clients = 256;
    private IPAddress[] _clients = [];
    private ClientKey[] _keys = [];
    private ILoadBalancer _rendezvous = null!;
    private ILoadBalancer _map = null!;
    private int _next;

    [Params(3, 64)]
    public int Servers { get; set; }

    [Params(AddressFamily.IPv4, AddressFamily.IPv6)]
    public AddressFamily Family { get; set; }

    /// <summary>Client address family.</summary>
    public enum AddressFamily
    {
        IPv4,
        IPv6,
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _clients = new IPAddress[Clients];
        _keys = new ClientKey[Clients];
        for (var i = 0; i < Clients; i++)
        {
            var bytes = new byte[Family == AddressFamily.IPv4 ? 4 : 16];
            random.NextBytes(bytes);
            if (Family == AddressFamily.IPv6)
            {
                bytes[0] = 0x20;
            }

            _clients[i] = new IPAddress(bytes);
            _keys[i] = ClientKey.From(_clients[i]);
        }

        _rendezvous = CreateBackend(BalanceAlgorithm.Source).Balancer;
        _map = CreateBackend(BalanceAlgorithm.SourceMapBased).Balancer;
    }

    [Benchmark(Baseline = true, Description = "Rendezvous: key + pick")]
    public object? RendezvousKeyAndPick()
    {
        var key = ClientKey.From(_clients[_next++ & (Clients - 1)]);
        return _rendezvous.Pick(key, 0);
    }

    [Benchmark(Description = "Rendezvous: pick")]
    public object? RendezvousPick() => _rendezvous.Pick(_keys[_next++ & (Clients - 1)], 0);

    [Benchmark(Description = "Rendezvous: pick, 1st excluded (redispatch)")]
    public object? RendezvousRedispatch() => _rendezvous.Pick(_keys[_next++ & (Clients - 1)], 1);

    [Benchmark(Description = "Map-based: key + pick")]
    public object? MapKeyAndPick()
    {
        var key = ClientKey.From(_clients[_next++ & (Clients - 1)]);
        return _map.Pick(key, 0);
    }

    [Benchmark(Description = "Map-based: pick")]
    public object? MapPick() => _map.Pick(_keys[_next++ & (Clients - 1)], 0);

    private ProxyBackend CreateBackend(BalanceAlgorithm balance)
    {
        var servers = new List<ServerOptions>(Servers);
        for (var i = 0; i < Servers; i++)
        {
            servers.Add(new ServerOptions
            {
                Name = $"cc{i}",
                EndPoint = new IPEndPoint(IPAddress.Parse($"10.0.{i / 250}.{(i % 250) + 1}"), 10000),
                InitialState = HealthInitialState.Up,
            });
        }

        return new ProxyBackend(new BackendOptions { Name = "be", Balance = balance, Servers = servers }, HostGroup.PerAddress());
    }
}
