using System.Globalization;
using System.Net;
using CloudCoreLb.HealthCheck;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// Strict, reflection-free reading of a YAML document: every mapping declares the keys it knows, unknown keys and
/// wrong types become <see cref="ConfigError"/>s with file, line and the dotted key path. Reflection-based binders
/// would silently ignore a misspelt <c>priorty</c>, which is how keepalived configs drift (docs/design/vrrp.md §10).
/// </summary>
internal sealed class YamlReader
{
    private readonly List<ConfigError> _errors = [];

    public YamlReader(string file) => File = file;

    public string File { get; }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public void Error(YamlNode? node, string key, string message)
    {
        var mark = node?.Start ?? Mark.Empty;
        _errors.Add(new ConfigError(File, (int)mark.Line, (int)mark.Column, key, message));
    }

    /// <summary>Parses text into the root mapping, or records the syntax error and returns null.</summary>
    public YamlMappingNode? ParseRoot(string text)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        var parser = new Parser(scanner);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            _errors.Add(new ConfigError(File, (int)ex.Start.Line, (int)ex.Start.Column, "", $"YAML syntax error: {ex.InnerException?.Message ?? ex.Message}"));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these instead of a YamlException for some malformed input (found by fuzzing:
            // a plain scalar cut by a flow indicator, a stray event in a mapping). The event it choked on is where the
            // problem is; failing that, where the scanner stopped.
            // At the end of the text that is the line after the last one: the last one is named instead.
            var at = parser.Current?.Start ?? scanner.CurrentPosition;
            var lines = Math.Max(1, text.AsSpan().TrimEnd('\n').Count('\n') + 1);
            _errors.Add(new ConfigError(File, Math.Clamp((int)at.Line, 1, lines), Math.Max(1, (int)at.Column), "", $"YAML syntax error: {ex.Message}"));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            return new YamlMappingNode();
        }

        if (stream.Documents[0].RootNode is YamlMappingNode root)
        {
            return root;
        }

        Error(stream.Documents[0].RootNode, "", "the top level must be a mapping of sections");
        return null;
    }

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="known"/>.</summary>
    public void CheckKeys(YamlMappingNode map, string path, params string[] known)
    {
        foreach (var (k, _) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(known, name) < 0)
            {
                var hint = Closest(name, known);
                Error(k, Join(path, name), hint is null
                    ? $"unknown key; expected one of: {string.Join(", ", known)}"
                    : $"unknown key; did you mean '{hint}'?");
            }
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>
    /// The node at a dotted key path below <paramref name="map"/> (<c>authentication.password</c>,
    /// <c>virtual_addresses[1]</c>), or the deepest node of the path that exists: where an error about it points.
    /// </summary>
    public static YamlNode At(YamlMappingNode map, string dottedPath)
    {
        YamlNode current = map;
        foreach (var part in dottedPath.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var key = bracket < 0 ? part : part[..bracket];
            if (current is not YamlMappingNode m || Get(m, key) is not { } child)
            {
                return current;
            }

            current = child;
            if (bracket >= 0 && current is YamlSequenceNode seq
                && int.TryParse(part.AsSpan(bracket + 1, part.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < seq.Children.Count)
            {
                current = seq.Children[index];
            }
        }

        return current;
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public YamlMappingNode? Mapping(YamlMappingNode map, string path, string key, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, Join(path, key), "required section is missing");
            }

            return null;
        }

        if (node is YamlMappingNode m)
        {
            return m;
        }

        if (node is YamlScalarNode { Value: null or "" or "~" })
        {
            return new YamlMappingNode();
        }

        Error(node, Join(path, key), "expected a mapping (key: value lines)");
        return null;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlMappingNode map, string path, string key, bool required = false)
    {
        var node = Get(map, key);
        switch (node)
        {
            case null when required:
                Error(map, Join(path, key), "required list is missing");
                return [];
            case null:
                return [];
            case YamlSequenceNode seq:
                return seq.Children.ToArray();
            case YamlScalarNode { Value: null or "" or "~" }:
                return [];
            default:
                Error(node, Join(path, key), "expected a list");
                return [];
        }
    }

    public string? String(YamlMappingNode map, string path, string key, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, Join(path, key), "required value is missing");
            }

            return null;
        }

        return Scalar(node, Join(path, key));
    }

    public string? Scalar(YamlNode node, string path)
    {
        if (node is YamlScalarNode s)
        {
            return s.Value;
        }

        Error(node, path, "expected a single value");
        return null;
    }

    /// <summary>A whole number; the range is the option type's rule, checked by its validator.</summary>
    public int? Int(YamlMappingNode map, string path, string key, bool required = false) =>
        Int(map, path, key, int.MinValue, int.MaxValue, required);

    public int? Int(YamlMappingNode map, string path, string key, int min, int max, bool required = false)
    {
        var text = String(map, path, key, required);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(Get(map, key), Join(path, key), $"'{text}' is not a whole number");
            return null;
        }

        if (value < min || value > max)
        {
            Error(Get(map, key), Join(path, key), $"{value} is out of range {min}..{max}");
            return null;
        }

        return value;
    }

    public bool? Bool(YamlMappingNode map, string path, string key)
    {
        var text = String(map, path, key);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(Get(map, key), Join(path, key), $"'{text}' is not a boolean (true/false)");
                return null;
        }
    }

    /// <summary>Durations need a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, decimals allowed): keepalived reads
    /// bare numbers as seconds and haproxy as milliseconds, so a bare number here would be a trap for both.</summary>
    public TimeSpan? Duration(YamlMappingNode map, string path, string key) => Duration(map, path, key, TimeSpan.MinValue, TimeSpan.MaxValue);

    public TimeSpan? Duration(YamlMappingNode map, string path, string key, TimeSpan min, TimeSpan max)
    {
        var text = String(map, path, key);
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var value))
        {
            Error(Get(map, key), Join(path, key), $"'{text}' is not a duration; use a number with a unit: 200ms, 1s, 1.5s, 2m, 1h");
            return null;
        }

        if (value < min || value > max)
        {
            Error(Get(map, key), Join(path, key), $"{text} is out of range {DurationParser.Format(min)}..{DurationParser.Format(max)}");
            return null;
        }

        return value;
    }

    public IPAddress? Address(YamlNode node, string path, bool requireIPv4 = false)
    {
        var text = Scalar(node, path);
        if (text is null)
        {
            return null;
        }

        if (!IPAddress.TryParse(text, out var address) || text.Contains('/'))
        {
            Error(node, path, $"'{text}' is not an IP address");
            return null;
        }

        if (requireIPv4 && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            Error(node, path, $"'{text}' is not an IPv4 address (VRRPv2 is IPv4 only)");
            return null;
        }

        return address;
    }

    public IPAddress? Address(YamlMappingNode map, string path, string key, bool requireIPv4 = false)
    {
        var node = Get(map, key);
        return node is null ? null : Address(node, Join(path, key), requireIPv4);
    }

    public TEnum? Enum<TEnum>(YamlMappingNode map, string path, string key, IReadOnlyDictionary<string, TEnum> names)
        where TEnum : struct
    {
        var text = String(map, path, key);
        if (text is null)
        {
            return null;
        }

        foreach (var (name, value) in names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        Error(Get(map, key), Join(path, key), $"'{text}' is not one of: {string.Join(", ", names.Keys)}");
        return null;
    }

    private static string? Closest(string name, string[] known)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in known)
        {
            var d = Levenshtein(name, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
