using System.Globalization;

namespace CloudCoreLb.Import.Haproxy;

/// <summary><c>server</c> lines and the <c>default-server</c> settings they start from.</summary>
internal sealed partial class HaproxyParser
{
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
}
