using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy.Options;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>The <c>proxy:</c> section: frontends and backends, haproxy's semantics.</summary>
internal static partial class ConfigLoader
{
    private static readonly IReadOnlyDictionary<string, BalanceAlgorithm> Balances = new Dictionary<string, BalanceAlgorithm>
    {
        ["source"] = BalanceAlgorithm.Source,
        ["source-map"] = BalanceAlgorithm.SourceMapBased,
        ["roundrobin"] = BalanceAlgorithm.RoundRobin,
        ["leastconn"] = BalanceAlgorithm.LeastConn,
    };

    private static readonly IReadOnlyDictionary<string, bool> OnMarkedDown = new Dictionary<string, bool>
    {
        ["none"] = false,
        ["shutdown-sessions"] = true,
    };

    private static readonly IReadOnlyDictionary<string, HealthInitialState> ServerInitialStates = new Dictionary<string, HealthInitialState>
    {
        ["down"] = HealthInitialState.Down,
        ["up"] = HealthInitialState.Up,
        ["fully-up"] = HealthInitialState.FullyUp,
        ["fully-down"] = HealthInitialState.FullyDown,
    };

    private static readonly IReadOnlyDictionary<string, ProxyProtocol> Protocols = new Dictionary<string, ProxyProtocol>
    {
        ["tcp"] = ProxyProtocol.Tcp,
        ["udp"] = ProxyProtocol.Udp,
    };

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    // Defaults are the option types' own (documented there); these instances are only read.
    private static readonly ProxyOptions ProxyDefaults = new();
    private static readonly FrontendOptions FrontendDefaults = new();
    private static readonly BackendOptions BackendDefaults = new();
    private static readonly ServerOptions ServerDefaults = new();

    private static ProxyOptions? ReadProxy(YamlReader r, YamlMappingNode? section)
    {
        if (section is null)
        {
            return null;
        }

        const string path = "proxy";
        r.CheckKeys(section, path, "max_connections", "group_servers_by_host", "threads", "splice", "frontends", "backends");
        var errorsBefore = r.Errors.Count;
        var options = new ProxyOptions
        {
            MaxConnections = r.Int(section, path, "max_connections", 1, 1_000_000) ?? ProxyDefaults.MaxConnections,
            GroupServersByHost = r.Bool(section, path, "group_servers_by_host") ?? ProxyDefaults.GroupServersByHost,
            Threads = r.Int(section, path, "threads", 0, 64) ?? ProxyDefaults.Threads,
            Splice = r.Bool(section, path, "splice") ?? ProxyDefaults.Splice,
        };

        var backends = r.Sequence(section, path, "backends");
        for (var i = 0; i < backends.Count; i++)
        {
            if (ReadBackend(r, backends[i], $"{path}.backends[{i}]") is { } backend)
            {
                if (options.Backends.Any(b => b.Name == backend.Name))
                {
                    r.Error(backends[i], $"{path}.backends[{i}].name", $"backend name '{backend.Name}' is already used");
                }

                options.Backends.Add(backend);
            }
        }

        var frontends = r.Sequence(section, path, "frontends");
        for (var i = 0; i < frontends.Count; i++)
        {
            var itemPath = $"{path}.frontends[{i}]";
            if (ReadFrontend(r, frontends[i], itemPath) is not { } frontend)
            {
                continue;
            }

            if (options.Frontends.Any(f => f.Name == frontend.Name))
            {
                r.Error(frontends[i], $"{itemPath}.name", $"frontend name '{frontend.Name}' is already used");
            }

            if (options.Frontends.FirstOrDefault(f => f.Protocol == frontend.Protocol && f.Bind!.Equals(frontend.Bind)) is { } clash)
            {
                r.Error(frontends[i], $"{itemPath}.bind", $"{frontend.Bind} is already bound by frontend '{clash.Name}'");
            }

            if (options.Backends.All(b => b.Name != frontend.Backend))
            {
                r.Error(YamlReader.Get((YamlMappingNode)frontends[i], "backend"), $"{itemPath}.backend",
                    $"no backend named '{frontend.Backend}'; defined backends: {string.Join(", ", options.Backends.Select(b => b.Name))}");
            }

            options.Frontends.Add(frontend);
        }

        if (r.Errors.Count != errorsBefore)
        {
            return null;
        }

        // Whatever the proxy itself would refuse is reported here too, so `check` and `run` agree.
        foreach (var problem in ProxyOptionsValidator.Validate(options))
        {
            r.Error(section, path, problem);
        }

        return options;
    }

    private static FrontendOptions? ReadFrontend(YamlReader r, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            r.Error(node, path, "expected a mapping describing one frontend");
            return null;
        }

        r.CheckKeys(map, path, "name", "bind", "backend", "max_connections", "backlog", "timeouts", "protocol", "udp");
        var errorsBefore = r.Errors.Count;
        var frontend = new FrontendOptions
        {
            Name = r.String(map, path, "name", required: true) ?? "",
            Backend = r.String(map, path, "backend", required: true) ?? "",
            MaxConnections = r.Int(map, path, "max_connections", 1, 1_000_000) ?? FrontendDefaults.MaxConnections,
            Backlog = r.Int(map, path, "backlog", 1, 65535),
            Bind = ReadBind(r, map, path),
            Protocol = r.Enum(map, path, "protocol", Protocols) ?? FrontendDefaults.Protocol,
        };
        var udpPath = YamlReader.Join(path, "udp");
        if (r.Mapping(map, path, "udp") is { } udp)
        {
            r.CheckKeys(udp, udpPath, "idle_timeout", "max_flows", "max_flows_per_source", "max_datagram_size");
            var u = frontend.Udp;
            u.IdleTimeout = r.Duration(udp, udpPath, "idle_timeout", TimeSpan.FromMilliseconds(100), MaxTimeout) ?? u.IdleTimeout;
            u.MaxFlows = r.Int(udp, udpPath, "max_flows", 1, 10_000_000) ?? u.MaxFlows;
            u.MaxFlowsPerSource = r.Int(udp, udpPath, "max_flows_per_source", 1, 10_000_000) ?? u.MaxFlowsPerSource;
            u.MaxDatagramSize = r.Int(udp, udpPath, "max_datagram_size", 1, UdpFrontendOptions.MaxPayload) ?? u.MaxDatagramSize;
        }
        var timeoutsPath = YamlReader.Join(path, "timeouts");
        if (r.Mapping(map, path, "timeouts") is { } timeouts)
        {
            r.CheckKeys(timeouts, timeoutsPath, "client", "client_fin");
            frontend.ClientTimeout = r.Duration(timeouts, timeoutsPath, "client", TimeSpan.FromMilliseconds(1), MaxTimeout) ?? frontend.ClientTimeout;
            frontend.ClientFinTimeout = r.Duration(timeouts, timeoutsPath, "client_fin", TimeSpan.FromMilliseconds(1), MaxTimeout);
        }

        return r.Errors.Count == errorsBefore ? frontend : null;
    }

    /// <summary>haproxy spellings: <c>*:10010</c> (all IPv4), <c>0.0.0.0:10010</c>, <c>[::]:10010</c>, <c>10.10.102.242:10010</c>.</summary>
    private static IPEndPoint? ReadBind(YamlReader r, YamlMappingNode map, string path)
    {
        var text = r.String(map, path, "bind", required: true);
        if (text is null)
        {
            return null;
        }

        var normalized = text.StartsWith("*:", StringComparison.Ordinal) ? "0.0.0.0" + text[1..] : text;
        if (IPEndPoint.TryParse(normalized, out var endPoint) && endPoint.Port != 0 && normalized.Contains(':'))
        {
            return endPoint;
        }

        r.Error(YamlReader.Get(map, "bind"), YamlReader.Join(path, "bind"), $"'{text}' is not an address:port (use *:10010, 0.0.0.0:10010, [::]:10010 or VIP:10010)");
        return null;
    }

    private static BackendOptions? ReadBackend(YamlReader r, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            r.Error(node, path, "expected a mapping describing one backend");
            return null;
        }

        r.CheckKeys(map, path, "name", "protocol", "balance", "retries", "redispatch", "smart_connect", "timeouts", "on_marked_down", "check", "servers");
        var errorsBefore = r.Errors.Count;
        var backend = new BackendOptions
        {
            Name = r.String(map, path, "name", required: true) ?? "",
            Balance = r.Enum(map, path, "balance", Balances) ?? BackendDefaults.Balance,
            Protocol = r.Enum(map, path, "protocol", Protocols) ?? BackendDefaults.Protocol,
            Retries = r.Int(map, path, "retries", 0, 100) ?? BackendDefaults.Retries,
            Redispatch = r.Bool(map, path, "redispatch") ?? BackendDefaults.Redispatch,
            SmartConnect = r.Bool(map, path, "smart_connect") ?? BackendDefaults.SmartConnect,
            OnMarkedDownShutdownSessions = r.Enum(map, path, "on_marked_down", OnMarkedDown) ?? BackendDefaults.OnMarkedDownShutdownSessions,
        };

        var timeoutsPath = YamlReader.Join(path, "timeouts");
        if (r.Mapping(map, path, "timeouts") is { } timeouts)
        {
            r.CheckKeys(timeouts, timeoutsPath, "connect", "server", "tunnel", "server_fin");
            backend.ConnectTimeout = r.Duration(timeouts, timeoutsPath, "connect", TimeSpan.FromMilliseconds(1), MaxTimeout) ?? backend.ConnectTimeout;
            backend.ServerTimeout = r.Duration(timeouts, timeoutsPath, "server", TimeSpan.FromMilliseconds(1), MaxTimeout) ?? backend.ServerTimeout;
            backend.TunnelTimeout = r.Duration(timeouts, timeoutsPath, "tunnel", TimeSpan.FromMilliseconds(1), MaxTimeout);
            backend.ServerFinTimeout = r.Duration(timeouts, timeoutsPath, "server_fin", TimeSpan.FromMilliseconds(1), MaxTimeout);
        }

        var checkPath = YamlReader.Join(path, "check");
        if (r.Mapping(map, path, "check") is { } check)
        {
            r.CheckKeys(check, checkPath, "interval", "fast_interval", "down_interval", "timeout", "rise", "fall", "initial_state");
            var h = backend.Health;
            h.Inter = r.Duration(check, checkPath, "interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? h.Inter;
            h.FastInter = r.Duration(check, checkPath, "fast_interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
            h.DownInter = r.Duration(check, checkPath, "down_interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
            h.Timeout = r.Duration(check, checkPath, "timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
            h.Rise = r.Int(check, checkPath, "rise", 1, 100) ?? h.Rise;
            h.Fall = r.Int(check, checkPath, "fall", 1, 100) ?? h.Fall;
            h.InitialState = r.Enum(check, checkPath, "initial_state", ServerInitialStates) ?? h.InitialState;
        }

        var servers = r.Sequence(map, path, "servers", required: true);
        for (var i = 0; i < servers.Count; i++)
        {
            if (ReadServer(r, servers[i], $"{path}.servers[{i}]") is { } server)
            {
                if (backend.Servers.Any(s => s.Name == server.Name))
                {
                    r.Error(servers[i], $"{path}.servers[{i}].name", $"server name '{server.Name}' is already used in this backend");
                }

                backend.Servers.Add(server);
            }
        }

        return r.Errors.Count == errorsBefore ? backend : null;
    }

    private static ServerOptions? ReadServer(YamlReader r, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            r.Error(node, path, "expected { name: cc1, address: ip:port, ... }");
            return null;
        }

        r.CheckKeys(map, path, "name", "address", "weight", "backup", "check");
        var errorsBefore = r.Errors.Count;
        var server = new ServerOptions
        {
            Name = r.String(map, path, "name", required: true) ?? "",
            Weight = r.Int(map, path, "weight", 0, 256) ?? ServerDefaults.Weight,
            Backup = r.Bool(map, path, "backup") ?? ServerDefaults.Backup,
            Check = r.Bool(map, path, "check") ?? ServerDefaults.Check,
        };
        var address = r.String(map, path, "address", required: true);
        if (address is not null)
        {
            if (IPEndPoint.TryParse(address, out var endPoint) && endPoint.Port != 0)
            {
                server.EndPoint = endPoint;
            }
            else
            {
                r.Error(YamlReader.Get(map, "address"), YamlReader.Join(path, "address"), $"'{address}' is not an ip:port");
            }
        }

        return r.Errors.Count == errorsBefore ? server : null;
    }
}
