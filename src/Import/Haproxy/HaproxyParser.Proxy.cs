namespace CloudCoreLb.Import.Haproxy;

/// <summary>The statements of a <c>defaults</c>, <c>frontend</c>, <c>backend</c> or <c>listen</c> section.</summary>
internal sealed partial class HaproxyParser
{
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
}
