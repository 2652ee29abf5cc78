using System.Globalization;

namespace CloudCoreLb.Import.Haproxy;

/// <summary>
/// Reads haproxy.cfg statements into a <see cref="HaproxyConfig"/>: sections, <c>defaults</c> inheritance (the last
/// <c>defaults</c> before a proxy, or <c>from NAME</c>), <c>no option</c>, <c>default-server</c>. Whatever cannot be
/// carried over to an L4 proxy is a warning with file:line; purely operational lines become one note.
/// </summary>
internal sealed class HaproxyParser(ImportDiagnostics diagnostics)
{
    private static readonly HashSet<string> ProxySections = ["defaults", "frontend", "backend", "listen"];

    private static readonly HashSet<string> OtherSections =
        ["peers", "resolvers", "userlist", "mailers", "program", "ring", "log-forward", "http-errors", "cache", "crt-store", "traces"];

    // Process settings systemd and journald take over; reported once per file as a note.
    private static readonly HashSet<string> Operational =
        ["log", "chroot", "pidfile", "user", "group", "uid", "gid", "daemon", "master-worker", "nbproc", "nbthread", "cpu-map", "ulimit-n", "log-send-hostname", "log-tag"];

    private static readonly HashSet<string> LoggingOptions = ["tcplog", "dontlognull", "httplog", "log-health-checks", "logasap", "dontlog-normal", "log-separate-errors"];

    private static readonly Dictionary<string, int> ServerKeywordArity = new(StringComparer.Ordinal)
    {
        ["maxconn"] = 1, ["maxqueue"] = 1, ["minconn"] = 1, ["slowstart"] = 1, ["observe"] = 1, ["on-error"] = 1,
        ["error-limit"] = 1, ["track"] = 1, ["id"] = 1, ["hash-key"] = 1, ["addr"] = 1, ["source"] = 1,
        ["agent-port"] = 1, ["agent-inter"] = 1, ["agent-send"] = 1, ["agent-addr"] = 1, ["crt"] = 1, ["ca-file"] = 1,
        ["sni"] = 1, ["cookie"] = 1, ["resolvers"] = 1, ["resolve-prefer"] = 1, ["on-marked-up"] = 1, ["proto"] = 1,
        ["alpn"] = 1, ["verify"] = 1, ["pool-max-conn"] = 1, ["pool-purge-delay"] = 1, ["check-sni"] = 1,
        ["namespace"] = 1, ["redir"] = 1, ["ciphers"] = 1, ["max-reuse"] = 1,
    };

    private readonly List<(string Keyword, int Line)> _operational = [];

    public HaproxyConfig Parse(string file, IReadOnlyList<HaproxyLine> lines)
    {
        var config = new HaproxyConfig(file);
        var namedDefaults = new Dictionary<string, HaproxyProxy>(StringComparer.Ordinal);
        var lastDefaults = new HaproxyProxy(HaproxySectionKind.Defaults, "", file, 0);
        HaproxyProxy? current = null;
        var section = "";
        foreach (var line in lines)
        {
            var keyword = line.Keyword;
            if (keyword == "global")
            {
                section = keyword;
                current = null;
                ExpectNoArgs(line);
                continue;
            }

            if (ProxySections.Contains(keyword))
            {
                section = keyword;
                current = StartProxy(line, namedDefaults, lastDefaults);
                if (current.Kind == HaproxySectionKind.Defaults)
                {
                    lastDefaults = current;
                    if (current.Name.Length > 0)
                    {
                        namedDefaults[current.Name] = current;
                    }
                }
                else
                {
                    config.Proxies.Add(current);
                }

                continue;
            }

            if (OtherSections.Contains(keyword))
            {
                section = keyword;
                current = null;
                Warn(line, $"'{keyword}' sections are not supported; the section is skipped");
                continue;
            }

            switch (section)
            {
                case "global":
                    ReadGlobal(config, line);
                    break;
                case "":
                    Warn(line, $"'{keyword}' outside any section; ignored");
                    break;
                default:
                    if (current is not null)
                    {
                        ReadProxyLine(current, line);
                    }

                    break;
            }
        }

        if (_operational.Count > 0)
        {
            diagnostics.Note(file, _operational[0].Line,
                $"operational settings are not carried over (systemd and journald handle them): {string.Join(", ", _operational.Select(o => $"{o.Keyword} (line {o.Line})"))}");
        }

        return config;
    }

    private HaproxyProxy StartProxy(HaproxyLine line, Dictionary<string, HaproxyProxy> namedDefaults, HaproxyProxy lastDefaults)
    {
        var kind = line.Keyword switch
        {
            "defaults" => HaproxySectionKind.Defaults,
            "frontend" => HaproxySectionKind.Frontend,
            "backend" => HaproxySectionKind.Backend,
            _ => HaproxySectionKind.Listen,
        };
        var args = line.Words.Skip(1).ToList();
        var name = args.Count > 0 && args[0] != "from" ? args[0] : "";
        if (name.Length == 0 && kind != HaproxySectionKind.Defaults)
        {
            throw new ImportException(line.File, line.Line, $"'{line.Keyword}' needs a name");
        }

        var rest = args.Skip(name.Length > 0 ? 1 : 0).ToList();
        var parent = kind == HaproxySectionKind.Defaults ? null : lastDefaults;
        if (rest is ["from", var from, ..])
        {
            parent = namedDefaults.TryGetValue(from, out var named)
                ? named
                : throw new ImportException(line.File, line.Line, $"'{line.Keyword} {name}' inherits from unknown defaults section '{from}'");
            rest = rest.Skip(2).ToList();
        }

        if (rest.Count > 0)
        {
            Warn(line, $"unexpected words '{string.Join(' ', rest)}' after the section name; ignored");
        }

        var proxy = new HaproxyProxy(kind, name, line.File, line.Line);
        if (parent is not null)
        {
            proxy.InheritFrom(parent);
        }
        else
        {
            // Built-in defaults: haproxy's proxy mode is tcp unless set.
            proxy.Mode = "tcp";
        }

        return proxy;
    }

    private void ReadGlobal(HaproxyConfig config, HaproxyLine line)
    {
        switch (line.Keyword)
        {
            case "maxconn":
                config.GlobalMaxConn = Integer(line, 1, 1_000_000) ?? config.GlobalMaxConn;
                break;
            case "stats":
                Warn(line, $"'stats {string.Join(' ', line.Words.Skip(1))}' is not carried over: use 'cloudcore-lb status' on control.socket and the Prometheus endpoint (metrics.listen)");
                break;
            default:
                if (Operational.Contains(line.Keyword))
                {
                    _operational.Add((line.Keyword, line.Line));
                }
                else
                {
                    Warn(line, $"global '{line.Keyword}' is not carried over");
                }

                break;
        }
    }

    private void ReadProxyLine(HaproxyProxy proxy, HaproxyLine line)
    {
        var args = line.Words.Skip(1).ToList();
        switch (line.Keyword)
        {
            case "mode":
                if (args is [var mode, ..])
                {
                    proxy.Mode = mode;
                    if (mode != "tcp")
                    {
                        var inDefaults = proxy.Kind == HaproxySectionKind.Defaults;
                        Warn(line, inDefaults
                            ? $"'mode {mode}' in defaults: cloudcore-lb is a TCP (L4) proxy; proxies that do not set 'mode tcp' are imported as TCP"
                            : $"'mode {mode}': cloudcore-lb is a TCP (L4) proxy; '{proxy.Name}' is imported as TCP and its HTTP processing is lost");
                    }
                }

                break;
            case "balance":
                Place(proxy, line, backend: true);
                if (args is [var algorithm, ..])
                {
                    proxy.Balance = algorithm;
                    proxy.BalanceLine = line.Line;
                    if (args.Count > 1)
                    {
                        Warn(line, $"balance arguments '{string.Join(' ', args.Skip(1))}' are not supported; ignored");
                    }
                }

                break;
            case "hash-type":
                Place(proxy, line, backend: true);
                if (args is [var hashType, ..])
                {
                    proxy.HashType = hashType;
                    if (args.Count > 1)
                    {
                        Warn(line, $"hash function '{string.Join(' ', args.Skip(1))}' is not configurable; cloudcore-lb hashes the source address with avalanche");
                    }
                }

                break;
            case "maxconn":
                Place(proxy, line, backend: false);
                proxy.MaxConn = Integer(line, 1, 1_000_000) ?? proxy.MaxConn;
                break;
            case "backlog":
                Place(proxy, line, backend: false);
                proxy.Backlog = Integer(line, 1, 65535) ?? proxy.Backlog;
                break;
            case "retries":
                Place(proxy, line, backend: true);
                proxy.Retries = Integer(line, 0, 100) ?? proxy.Retries;
                break;
            case "default_backend":
                Place(proxy, line, backend: false);
                proxy.DefaultBackend = args.Count > 0 ? args[0] : proxy.DefaultBackend;
                break;
            case "option":
                ReadOption(proxy, line, args, enable: true);
                break;
            case "no" when args is ["option", ..]:
                ReadOption(proxy, line, args.Skip(1).ToList(), enable: false);
                break;
            case "timeout":
                ReadTimeout(proxy, line, args);
                break;
            case "bind":
                Place(proxy, line, backend: false);
                ReadBind(proxy, line, args);
                break;
            case "default-server":
                Place(proxy, line, backend: true);
                var preset = proxy.DefaultServer with { Line = line.Line };
                ReadServerSettings(preset, line, args);
                proxy.DefaultServer = preset;
                break;
            case "server":
                Place(proxy, line, backend: true);
                ReadServer(proxy, line, args);
                break;
            case "log":
                _operational.Add(("log", line.Line));
                break;
            default:
                Warn(line, $"'{line.Keyword}' is not carried over ({(proxy.Kind == HaproxySectionKind.Defaults ? "defaults" : proxy.Name)})");
                break;
        }
    }

    private void ReadOption(HaproxyProxy proxy, HaproxyLine line, List<string> args, bool enable)
    {
        if (args.Count == 0)
        {
            Warn(line, "'option' without a name; ignored");
            return;
        }

        var name = args[0];
        if (name == "redispatch")
        {
            Place(proxy, line, backend: true);
            proxy.Redispatch = enable;
            if (args.Count > 1 && args[1] != "-1")
            {
                Warn(line, $"'option redispatch {args[1]}': cloudcore-lb redispatches on the last retry (haproxy's default); the interval is not carried over");
            }
        }
        else if (LoggingOptions.Contains(name))
        {
            diagnostics.Note(line.File, line.Line, $"'option {name}' is about haproxy's log lines; cloudcore-lb logs to the journal and counts in metrics");
        }
        else if (name.StartsWith("http", StringComparison.Ordinal) || name is "forwardfor" or "originalto")
        {
            Warn(line, $"'option {name}' is HTTP-only; not carried over (no effect on TCP proxies)");
        }
        else
        {
            Warn(line, $"'{(enable ? "" : "no ")}option {name}' is not carried over");
        }
    }

    private void ReadTimeout(HaproxyProxy proxy, HaproxyLine line, List<string> args)
    {
        if (args.Count < 2 || !HaproxyTime.TryParse(args[1], out var value))
        {
            Warn(line, "timeout needs a name and a time (e.g. 'timeout client 1m'); ignored");
            return;
        }

        var name = args[0];
        switch (name)
        {
            case "connect" or "server" or "tunnel" or "server-fin":
                Place(proxy, line, backend: true);
                proxy.Timeouts[name] = value;
                break;
            case "client" or "client-fin":
                Place(proxy, line, backend: false);
                proxy.Timeouts[name] = value;
                break;
            case "check":
                diagnostics.Note(line.File, line.Line,
                    "'timeout check' only adds a read phase that TCP checks do not have; cloudcore-lb's check timeout defaults to min(timeout connect, inter), the L4 check timeout haproxy uses");
                break;
            case "queue":
                diagnostics.Note(line.File, line.Line, "'timeout queue' is not carried over: cloudcore-lb does not queue connections for servers (no server maxconn)");
                break;
            case "http-request" or "http-keep-alive":
                Warn(line, $"'timeout {name}' is HTTP-only; not carried over (no effect on TCP proxies)");
                break;
            default:
                Warn(line, $"'timeout {name}' is not carried over");
                break;
        }

        if (args.Count > 2)
        {
            Warn(line, $"unexpected words '{string.Join(' ', args.Skip(2))}' after the timeout; ignored");
        }
    }

    private void ReadBind(HaproxyProxy proxy, HaproxyLine line, List<string> args)
    {
        if (args.Count == 0)
        {
            Warn(line, "'bind' without an address; ignored");
            return;
        }

        foreach (var address in args[0].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            proxy.Binds.Add((address, line.Line));
        }

        if (args.Count > 1)
        {
            Warn(line, $"bind options '{string.Join(' ', args.Skip(1))}' are not supported; not carried over");
        }
    }

    private void ReadServer(HaproxyProxy proxy, HaproxyLine line, List<string> args)
    {
        if (args.Count < 2)
        {
            throw new ImportException(line.File, line.Line, "'server' needs a name and an address");
        }

        if (args[1].Contains('{') || args[1].Contains('}'))
        {
            throw new ImportException(line.File, line.Line,
                $"server {args[0]} has the placeholder address '{args[1]}'; fill in the master's IP address before importing");
        }

        var server = proxy.DefaultServer with { Name = args[0], Address = args[1], Line = line.Line };
        ReadServerSettings(server, line, args.Skip(2).ToList());
        proxy.Servers.Add(server);
    }

    private void ReadServerSettings(HaproxyServer server, HaproxyLine line, List<string> settings)
    {
        for (var i = 0; i < settings.Count; i++)
        {
            var keyword = settings[i];
            var value = i + 1 < settings.Count ? settings[i + 1] : null;
            switch (keyword)
            {
                case "check":
                    server.Check = true;
                    break;
                case "no-check":
                    server.Check = false;
                    break;
                case "backup":
                    server.Backup = true;
                    break;
                case "no-backup":
                    server.Backup = false;
                    break;
                case "disabled":
                    server.Disabled = true;
                    break;
                case "enabled":
                    server.Disabled = false;
                    break;
                case "inter" or "fastinter" or "downinter":
                    i++;
                    if (value is not null && HaproxyTime.TryParse(value, out var time) && time > TimeSpan.Zero)
                    {
                        _ = keyword switch
                        {
                            "inter" => server.Inter = time,
                            "fastinter" => server.FastInter = time,
                            _ => server.DownInter = time,
                        };
                    }
                    else
                    {
                        Warn(line, $"'{keyword} {value}' is not a time; ignored");
                    }

                    break;
                case "rise" or "fall" or "weight" or "port":
                    i++;
                    var (min, max) = keyword switch { "weight" => (0, 256), "port" => (1, 65535), _ => (1, 100) };
                    if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
                    {
                        _ = keyword switch
                        {
                            "rise" => server.Rise = n,
                            "fall" => server.Fall = n,
                            "weight" => server.Weight = n,
                            _ => server.Port = n,
                        };
                    }
                    else
                    {
                        Warn(line, $"'{keyword} {value}' is not a number in {min}..{max}; ignored");
                    }

                    break;
                case "on-marked-down":
                    i++;
                    if (value == "shutdown-sessions")
                    {
                        server.OnMarkedDown = value;
                    }
                    else
                    {
                        Warn(line, $"'on-marked-down {value}' is not supported; not carried over");
                    }

                    break;
                case "init-state":
                    i++;
                    server.InitState = value;
                    break;
                default:
                    var arity = ServerKeywordArity.GetValueOrDefault(keyword);
                    var shown = string.Join(' ', settings.Skip(i).Take(arity + 1));
                    Warn(line, keyword.StartsWith("ssl", StringComparison.Ordinal) || keyword == "ca-file" || keyword == "crt"
                        ? $"server setting '{shown}': TLS to servers is not supported by an L4 proxy; not carried over"
                        : $"server setting '{shown}' is not supported; not carried over");
                    i += arity;
                    break;
            }
        }
    }

    /// <summary>haproxy ignores (with a warning) settings in a section type that has no use for them.</summary>
    private void Place(HaproxyProxy proxy, HaproxyLine line, bool backend)
    {
        var ok = proxy.Kind == HaproxySectionKind.Defaults || (backend ? proxy.IsBackend : proxy.IsFrontend);
        if (!ok)
        {
            Warn(line, $"'{line.Keyword}' has no effect in a {proxy.Kind.ToString().ToLowerInvariant()} section; ignored");
        }
    }

    private int? Integer(HaproxyLine line, int min, int max)
    {
        if (line.Words.Count >= 2 && int.TryParse(line.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            if (line.Words.Count > 2)
            {
                Warn(line, $"unexpected words '{string.Join(' ', line.Words.Skip(2))}'; ignored");
            }

            return n;
        }

        Warn(line, $"'{line.Keyword}' needs a number in {min}..{max}; ignored");
        return null;
    }

    private void ExpectNoArgs(HaproxyLine line)
    {
        if (line.Words.Count > 1)
        {
            Warn(line, $"unexpected words '{string.Join(' ', line.Words.Skip(1))}' after '{line.Keyword}'; ignored");
        }
    }

    private void Warn(HaproxyLine line, string message) => diagnostics.Warn(line.File, line.Line, message);
}
