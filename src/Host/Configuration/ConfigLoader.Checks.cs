using System.Net;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.HealthCheck.Tracking;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>The <c>checks:</c> section: named checks VRRP instances track.</summary>
internal static partial class ConfigLoader
{
    private static readonly string[] CommonCheckKeys = ["type", "interval", "timeout", "rise", "fall", "weight", "initial_state"];

    private static readonly IReadOnlyDictionary<string, bool> InitialStates = new Dictionary<string, bool>
    {
        ["down"] = false,
        ["failed"] = true,
    };

    private static Dictionary<string, CheckDefinition> ReadChecks(YamlReader r, YamlMappingNode? section)
    {
        var checks = new Dictionary<string, CheckDefinition>(StringComparer.Ordinal);
        if (section is null)
        {
            return checks;
        }

        foreach (var (key, value) in section.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var path = YamlReader.Join("checks", name);
            if (value is not YamlMappingNode map)
            {
                r.Error(value, path, "expected the check's settings as a mapping");
                continue;
            }

            if (ReadCheck(r, map, path, name) is { } check)
            {
                checks[name] = check;
            }
        }

        return checks;
    }

    private static CheckDefinition? ReadCheck(YamlReader r, YamlMappingNode map, string path, string name)
    {
        var errorsBefore = r.Errors.Count;
        var type = r.String(map, path, "type", required: true);
        var interval = r.Duration(map, path, "interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        var timeout = r.Duration(map, path, "timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        var rise = r.Int(map, path, "rise", 1, 100);
        var fall = r.Int(map, path, "fall", 1, 100);
        var weight = r.Int(map, path, "weight", -253, 253);
        var initFail = r.Enum(map, path, "initial_state", InitialStates);
        TrackingOptions? options;
        switch (type)
        {
            case null:
                return null;
            case "listener":
                r.CheckKeys(map, path, [.. CommonCheckKeys, "port", "address"]);
                var port = r.Int(map, path, "port", 1, 65535, required: true);
                var address = r.Address(map, path, "address");
                options = port is null ? null : new ListenerCheckOptions { Name = name, Ports = [port.Value], Address = address };
                break;
            case "exec":
                r.CheckKeys(map, path, [.. CommonCheckKeys, "script", "user"]);
                var script = r.String(map, path, "script", required: true);
                var user = r.String(map, path, "user");
                var (u, g) = user?.Split(':', 2) is [var uu, var gg] ? (uu, gg) : (user, null);
                options = script is null ? null : new TrackedScriptOptions { Name = name, Script = script, User = u, Group = g };
                break;
            case "http":
                r.CheckKeys(map, path, [.. CommonCheckKeys, "url", "insecure", "expect_status"]);
                options = ReadHttpCheck(r, map, path, name);
                break;
            case "tcp":
                r.CheckKeys(map, path, [.. CommonCheckKeys, "address"]);
                options = ReadTcpCheck(r, map, path, name);
                break;
            case "proxy":
                r.CheckKeys(map, path, CommonCheckKeys);
                options = new ProxyCheckOptions { Name = name };
                break;
            default:
                r.Error(YamlReader.Get(map, "type"), YamlReader.Join(path, "type"), $"'{type}' is not one of: listener, tcp, http, exec, proxy");
                return null;
        }

        if (options is null || r.Errors.Count != errorsBefore)
        {
            return null;
        }

        options = options with
        {
            Interval = interval ?? options.Interval,
            Timeout = timeout,
            Rise = rise ?? options.Rise,
            Fall = fall ?? options.Fall,
            Weight = weight ?? options.Weight,
            InitFail = initFail ?? options.InitFail,
        };
        foreach (var problem in options.Validate())
        {
            // Script security and the like: refused loudly here, where keepalived would silently run untracked.
            r.Error(map, path, problem);
        }

        return r.Errors.Count == errorsBefore ? new CheckDefinition(name, type, options) : null;
    }

    private static HttpCheckOptions? ReadHttpCheck(YamlReader r, YamlMappingNode map, string path, string name)
    {
        var url = r.String(map, path, "url", required: true);
        var defaults = new HttpGetProbeOptions { Uri = new Uri("http://localhost/") };
        var insecure = r.Bool(map, path, "insecure") ?? defaults.Insecure;
        var (min, max) = (defaults.ExpectedStatusMin, defaults.ExpectedStatusMax);
        if (r.String(map, path, "expect_status") is { } expect)
        {
            var parts = expect.Split('-', 2);
            if (!int.TryParse(parts[0], out min) || !int.TryParse(parts[^1], out max) || min < 100 || max > 599 || min > max)
            {
                r.Error(YamlReader.Get(map, "expect_status"), YamlReader.Join(path, "expect_status"), $"'{expect}' is not a status or range like 200 or 200-399");
                return null;
            }
        }

        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            if (url is not null)
            {
                r.Error(YamlReader.Get(map, "url"), YamlReader.Join(path, "url"), $"'{url}' is not an http:// or https:// URL");
            }

            return null;
        }

        var probe = new HttpGetProbeOptions { Uri = uri, Insecure = insecure, ExpectedStatusMin = min, ExpectedStatusMax = max };
        return new HttpCheckOptions { Name = name, Probe = probe };
    }

    private static TcpCheckOptions? ReadTcpCheck(YamlReader r, YamlMappingNode map, string path, string name)
    {
        var text = r.String(map, path, "address", required: true);
        if (text is null)
        {
            return null;
        }

        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Port == 0)
        {
            r.Error(YamlReader.Get(map, "address"), YamlReader.Join(path, "address"), $"'{text}' is not an ip:port");
            return null;
        }

        return new TcpCheckOptions { Name = name, Target = endPoint };
    }
}
