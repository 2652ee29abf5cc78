using System.Globalization;
using System.Net;
using CloudCoreLb.Import.Haproxy;

namespace CloudCoreLb.Import.Conversion;

/// <summary>The <c>proxy:</c> section: frontends and backends with haproxy's defaults already resolved.</summary>
internal sealed partial class ImportConverter
{
    private void WriteProxy(HaproxyConfig haproxy)
    {
        var frontends = haproxy.Proxies.Where(p => p.IsFrontend).ToList();
        var backends = new List<(HaproxyProxy Backend, List<(HaproxyServer Server, IPEndPoint EndPoint)> Servers)>();
        foreach (var backend in haproxy.Proxies.Where(p => p.IsBackend))
        {
            var servers = backend.Servers.Select(s => (Server: s, EndPoint: ServerEndPoint(backend, s))).Where(s => s.EndPoint is not null).ToList();
            if (servers.Any(s => !s.Server.Disabled))
            {
                backends.Add((backend, servers.Select(s => (s.Server, s.EndPoint!)).ToList()));
            }
            else
            {
                // check refuses a backend without servers; haproxy could only refuse its clients.
                diagnostics.Warn(backend.File, backend.Line, $"backend {backend.Name} has no server that can be imported; it is left out, with the frontends that use it");
            }
        }

        using var proxy = _yaml.Block("proxy");
        if (haproxy.GlobalMaxConn is { } maxconn)
        {
            _yaml.Value("max_connections", maxconn);
        }

        WriteHostGrouping(backends);

        var names = backends.Select(b => b.Backend.Name).ToList();
        var routed = frontends.Select(f => (Frontend: f, Backend: RoutedBackend(f, names))).Where(f => f.Backend is not null).ToList();
        if (routed.Count > 0)
        {
            using var list = _yaml.Block("frontends");
            foreach (var (frontend, backend) in routed)
            {
                WriteFrontend(frontend, backend!);
            }
        }

        if (backends.Count > 0)
        {
            using var list = _yaml.Block("backends");
            foreach (var (backend, servers) in backends)
            {
                WriteBackend(backend, servers);
            }
        }
    }

    /// <summary>
    /// cloudcore-lb groups servers by host by default (one identity for hashing and health, so an edge's connections
    /// to 10000 and 10004 land on one CloudCore); two servers of one backend on one host cannot be told apart then.
    /// haproxy never groups, so such a backend is imported with grouping off, which is haproxy's behaviour.
    /// </summary>
    private void WriteHostGrouping(List<(HaproxyProxy Backend, List<(HaproxyServer Server, IPEndPoint EndPoint)> Servers)> backends)
    {
        var shared = new List<string>();
        foreach (var (backend, servers) in backends)
        {
            foreach (var group in servers.Where(s => !s.Server.Disabled).GroupBy(s => s.EndPoint.Address).Where(g => g.Count() > 1))
            {
                var names = string.Join(", ", group.Select(s => s.Server.Name));
                diagnostics.Warn(backend.File, group.Skip(1).First().Server.Line,
                    $"{backend.Name}: servers {names} share host {group.Key}; cloudcore-lb groups servers by host (one hash identity and one health state per host) unless told not to, " +
                    "so the import sets 'group_servers_by_host: false', which treats every server on its own as haproxy does. To keep the grouping (KubeEdge: one CloudCore's ports move together), give each server of a backend its own host");
                shared.Add($"{backend.Name} ({group.Key})");
            }
        }

        if (shared.Count > 0)
        {
            _yaml.Value("group_servers_by_host", false, $"servers share a host in {string.Join(", ", shared)}: each server stands alone, as in haproxy");
        }
    }

    /// <summary>The imported backend <paramref name="frontend"/> sends to, or null (warned) when there is none.</summary>
    private string? RoutedBackend(HaproxyProxy frontend, List<string> imported)
    {
        var backend = frontend.Kind == HaproxySectionKind.Listen ? frontend.Name : frontend.DefaultBackend;
        if (backend is null)
        {
            diagnostics.Warn(frontend.File, frontend.Line, $"frontend {frontend.Name} has no default_backend; it is left out");
            return null;
        }

        if (!imported.Contains(backend))
        {
            diagnostics.Warn(frontend.File, frontend.Line, $"frontend {frontend.Name}: default_backend '{backend}' is not defined or not imported; the frontend is left out");
            return null;
        }

        return backend;
    }

    private void WriteFrontend(HaproxyProxy frontend, string backend)
    {

        var binds = frontend.Binds.Select(b => (Address: NormalizeBind(frontend, b.Address, b.Line), b.Line)).Where(b => b.Address is not null).ToList();
        if (binds.Count == 0)
        {
            diagnostics.Warn(frontend.File, frontend.Line, $"frontend {frontend.Name} has no usable bind; it is left out");
            return;
        }

        if (!frontend.Timeouts.ContainsKey("client"))
        {
            diagnostics.Warn(frontend.File, frontend.Line, $"{frontend.Name}: no 'timeout client' (haproxy: never, with a startup warning); cloudcore-lb's default 1m applies");
        }

        for (var i = 0; i < binds.Count; i++)
        {
            // One bind per frontend here; extra haproxy binds become numbered frontends sharing the backend.
            using var item = _yaml.Item();
            _yaml.Value("name", YamlEmitter.Str(i == 0 ? frontend.Name : $"{frontend.Name}_{i + 1}"));
            _yaml.Value("bind", YamlEmitter.Str(binds[i].Address!));
            _yaml.Value("backend", YamlEmitter.Str(backend));
            if (frontend.MaxConn is { } maxconn)
            {
                _yaml.Value("max_connections", maxconn);
            }

            if (frontend.Backlog is { } backlog)
            {
                _yaml.Value("backlog", backlog);
            }

            WriteTimeouts(frontend, ("client", "client"), ("client-fin", "client_fin"));
        }
    }

    private string? NormalizeBind(HaproxyProxy frontend, string address, int line)
    {
        var text = address.StartsWith("ipv4@", StringComparison.Ordinal) ? address["ipv4@".Length..] : address;
        if (text.Contains('@'))
        {
            diagnostics.Warn(frontend.File, line, $"bind '{address}': only TCP over IPv4/IPv6 addresses is supported; left out");
            return null;
        }

        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        var port = colon < 0 ? "" : text[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
        {
            diagnostics.Warn(frontend.File, line, $"bind '{address}': a single port is needed (ranges and missing ports are not supported); left out");
            return null;
        }

        return host switch
        {
            "" or "*" or "0.0.0.0" => $"*:{p}",
            "::" or "[::]" => $"[::]:{p}",
            _ when host.Contains(':') && !host.StartsWith('[') => $"[{host}]:{p}",
            _ => $"{host}:{p}",
        };
    }

    private void WriteBackend(HaproxyProxy backend, List<(HaproxyServer Server, IPEndPoint EndPoint)> servers)
    {
        using var item = _yaml.Item();
        _yaml.Value("name", YamlEmitter.Str(backend.Name));
        WriteBalance(backend);
        _yaml.Value("retries", backend.Retries ?? 3);
        _yaml.Value("redispatch", backend.Redispatch, backend.Redispatch ? null : "haproxy default without 'option redispatch'");
        foreach (var (name, fallback) in new[] { ("connect", "10s"), ("server", "1m") })
        {
            if (!backend.Timeouts.ContainsKey(name))
            {
                diagnostics.Warn(backend.File, backend.Line, $"{backend.Name}: no 'timeout {name}' (haproxy: never, with a startup warning); cloudcore-lb's default {fallback} applies");
            }
        }

        WriteTimeouts(backend, ("connect", "connect"), ("server", "server"), ("tunnel", "tunnel"), ("server-fin", "server_fin"));
        var shutdown = servers.Where(s => s.Server.OnMarkedDown is not null).ToList();
        if (shutdown.Count > 0)
        {
            _yaml.Value("on_marked_down", "shutdown-sessions");
            if (shutdown.Count != servers.Count)
            {
                diagnostics.Warn(backend.File, backend.Line, $"{backend.Name}: on-marked-down shutdown-sessions is per backend here and applies to every server");
            }
        }

        WriteBackendCheck(backend);
        using var list = _yaml.Block("servers");
        foreach (var (server, endPoint) in servers)
        {
            WriteServer(backend, server, endPoint);
        }
    }

    private void WriteBalance(HaproxyProxy backend)
    {
        var algorithm = backend.Balance ?? "roundrobin";
        var line = backend.BalanceLine > 0 ? backend.BalanceLine : backend.Line;
        switch (algorithm)
        {
            case "source" when backend.HashType?.StartsWith("consistent", StringComparison.Ordinal) == true:
                _yaml.Value("balance", "source", "haproxy 'balance source' + 'hash-type consistent'");
                break;
            case "source" when options.ExactHash:
                _yaml.Value("balance", "source-map", "haproxy's map-based 'balance source', reproduced exactly (--exact-hash)");
                break;
            case "source":
                diagnostics.Warn(backend.File, line,
                    $"{backend.Name}: 'balance source' without 'hash-type consistent' is haproxy's map-based hash (client IP mod number of servers: when 1 of 3 servers goes down about 2/3 of all clients move). " +
                    "Imported as 'source' (consistent hashing: only a dead server's clients move), so a client may land on another server than under haproxy. " +
                    "Use --exact-hash ('source-map') to keep haproxy's mapping exactly, e.g. while haproxy and cloudcore-lb serve the same clients side by side");
                _yaml.Value("balance", "source", "haproxy map-based 'balance source' remapped to consistent hashing; --exact-hash keeps haproxy's mapping");
                break;
            case "roundrobin" or "leastconn":
                _yaml.Value("balance", algorithm, backend.Balance is null ? "haproxy default" : null);
                break;
            default:
                diagnostics.Warn(backend.File, line, $"{backend.Name}: 'balance {algorithm}' is not supported; imported as roundrobin");
                _yaml.Value("balance", "roundrobin", $"haproxy 'balance {algorithm}'");
                break;
        }
    }

    private void WriteBackendCheck(HaproxyProxy backend)
    {
        var checkedServers = backend.Servers.Where(s => s.Check && !s.Disabled).ToList();
        if (checkedServers.Count == 0)
        {
            return;
        }

        // cloudcore-lb times checks per backend: the first checked server's settings stand for all of them.
        var first = checkedServers[0];
        foreach (var other in checkedServers.Skip(1))
        {
            if (other.Inter != first.Inter || other.FastInter != first.FastInter || other.DownInter != first.DownInter
                || other.Rise != first.Rise || other.Fall != first.Fall || other.InitState != first.InitState)
            {
                diagnostics.Warn(backend.File, other.Line, $"{backend.Name}/{other.Name}: check settings differ from {first.Name}'s; checks are timed per backend here, {first.Name}'s are used");
            }
        }

        var values = new List<(string, string)> { ("interval", Duration(first.Inter ?? TimeSpan.FromSeconds(2))) };
        if (first.FastInter is { } fast)
        {
            values.Add(("fast_interval", Duration(fast)));
        }

        if (first.DownInter is { } down)
        {
            values.Add(("down_interval", Duration(down)));
        }

        values.Add(("rise", (first.Rise ?? 2).ToString(CultureInfo.InvariantCulture)));
        values.Add(("fall", (first.Fall ?? 3).ToString(CultureInfo.InvariantCulture)));
        switch (first.InitState)
        {
            case null:
                break;
            case "up" or "fully-up":
                values.Add(("initial_state", "up"));
                break;
            case "down" or "fully-down":
                values.Add(("initial_state", "down"));
                break;
            default:
                diagnostics.Warn(backend.File, first.Line, $"{backend.Name}/{first.Name}: 'init-state {first.InitState}' is not supported; checks start down");
                break;
        }

        _yaml.Value("check", YamlEmitter.Flow(values));
    }

    /// <summary>The server's <c>ip:port</c>, or null (warned) when the loader could not take it.</summary>
    private IPEndPoint? ServerEndPoint(HaproxyProxy backend, HaproxyServer server)
    {
        if (server.Address.Contains('@'))
        {
            diagnostics.Warn(backend.File, server.Line, $"{backend.Name}/{server.Name}: address '{server.Address}': only TCP over IPv4/IPv6 addresses is supported; left out");
            return null;
        }

        var colon = server.Address.LastIndexOf(':');
        var port = colon < 0 ? "" : server.Address[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
        {
            diagnostics.Warn(backend.File, server.Line, $"{backend.Name}/{server.Name}: address '{server.Address}' needs an explicit port (port-less and +N/-N ports follow the client's destination port); left out");
            return null;
        }

        if (!IPAddress.TryParse(server.Address[..colon].Trim('[', ']'), out var address))
        {
            diagnostics.Warn(backend.File, server.Line, $"{backend.Name}/{server.Name}: '{server.Address[..colon]}' is a host name; cloudcore-lb connects to addresses, so write the server's IP address; left out");
            return null;
        }

        return new IPEndPoint(address, p);
    }

    private void WriteServer(HaproxyProxy backend, HaproxyServer server, IPEndPoint endPoint)
    {
        var values = new List<(string, string)> { ("name", YamlEmitter.Str(server.Name)), ("address", YamlEmitter.Str(endPoint.ToString())) };
        if (server.Weight is { } weight and not 1)
        {
            values.Add(("weight", weight.ToString(CultureInfo.InvariantCulture)));
        }

        if (server.Backup)
        {
            values.Add(("backup", "true"));
        }

        if (!server.Check)
        {
            values.Add(("check", "false"));
        }

        if (server.Port is { } checkPort && server.Check)
        {
            diagnostics.Warn(backend.File, server.Line, $"{backend.Name}/{server.Name}: 'port {checkPort}' is not carried over: health checks connect to the server's own address and port ({endPoint})");
        }

        if (server.Disabled)
        {
            diagnostics.Warn(backend.File, server.Line, $"{backend.Name}/{server.Name} is 'disabled' (maintenance); there is no maintenance state in the file, so it is left out as a comment");
            _yaml.Comment($"disabled in haproxy: - {YamlEmitter.Flow(values)}");
            return;
        }

        _yaml.ItemLine(YamlEmitter.Flow(values));
    }

    private void WriteTimeouts(HaproxyProxy proxy, params (string Haproxy, string Ours)[] names)
    {
        var values = names.Where(n => proxy.Timeouts.ContainsKey(n.Haproxy)).Select(n => (n.Ours, Duration(proxy.Timeouts[n.Haproxy]))).ToList();
        if (values.Count > 0)
        {
            _yaml.Value("timeouts", YamlEmitter.Flow(values));
        }
    }
}
