namespace CloudCoreLb.Import.Haproxy;

/// <summary>
/// Reads haproxy.cfg statements into a <see cref="HaproxyConfig"/>: sections, <c>defaults</c> inheritance (the last
/// <c>defaults</c> before a proxy, or <c>from NAME</c>), <c>no option</c>, <c>default-server</c>. Whatever cannot be
/// carried over to an L4 proxy is a warning with file:line; purely operational lines become one note.
/// </summary>
/// <remarks>
/// One partial per phase: this file splits the statements into sections and resolves <c>defaults</c>;
/// <c>.Proxy</c> and <c>.Server</c> read a section's statements, <c>.Values</c> coerces words into values,
/// <c>.Keywords</c> lists what is known to be operational, logging-only or to take arguments.
/// </remarks>
internal sealed partial class HaproxyParser(ImportDiagnostics diagnostics)
{
    private static readonly HashSet<string> ProxySections = ["defaults", "frontend", "backend", "listen"];

    private static readonly HashSet<string> OtherSections =
        ["peers", "resolvers", "userlist", "mailers", "program", "ring", "log-forward", "http-errors", "cache", "crt-store", "traces"];

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
}
