using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// Reads and validates <c>cloudcore-lb.yaml</c>. The same file can be deployed on every master: per-node values sit
/// under an instance's <c>nodes:</c> map, keyed by host name, and are picked with the node name (the seesaw model of
/// one file pushed everywhere, instead of keepalived's hand-edited copy per node).
/// </summary>
internal static partial class ConfigLoader
{
    // sizeof(sockaddr_un.sun_path) on Linux less the terminating NUL.
    private const int MaxUnixSocketPath = 107;

    public static CloudCoreLbConfig Load(string path, string? nodeName = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", $"cannot read the file: {ex.Message}")]);
        }

        return Parse(text, path, nodeName);
    }

    /// <param name="text">The YAML.</param>
    /// <param name="file">The file name errors name.</param>
    /// <param name="nodeName">This node's name; null = the host name, or the one address-keyed node block whose
    /// address is on this machine (<see cref="NodeIdentity"/>).</param>
    public static CloudCoreLbConfig Parse(string text, string file, string? nodeName)
    {
        var r = new YamlReader(file);
        var root = r.ParseRoot(text);
        nodeName ??= NodeIdentity.Resolve(root, Environment.MachineName, NodeIdentity.LocalAddresses());
        IReadOnlyList<VrrpInstanceConfig> instances = [];
        IReadOnlyList<VrrpSyncGroupConfig> syncGroups = [];
        IReadOnlyDictionary<string, CheckDefinition> checks = new Dictionary<string, CheckDefinition>();
        CloudCoreLb.L4Proxy.Options.ProxyOptions? proxy = null;
        var metrics = new MetricsOptions();
        var control = new ControlOptions();
        var crashRecovery = new CrashRecoveryOptions();
        if (root is not null)
        {
            r.CheckKeys(root, "", "vrrp", "checks", "proxy", "metrics", "control", "crash_recovery");
            checks = ReadChecks(r, r.Mapping(root, "", "checks"));
            instances = ReadVrrp(r, r.Mapping(root, "", "vrrp"), nodeName, checks);
            syncGroups = ReadSyncGroups(r, r.Mapping(root, "", "vrrp"));
            proxy = ReadProxy(r, r.Mapping(root, "", "proxy"));
            if (proxy is null && r.Errors.Count == 0)
            {
                foreach (var check in checks.Values.Where(c => c.Options is ProxyCheckOptions))
                {
                    r.Error(YamlReader.Get(root, "checks") is YamlMappingNode checksNode ? YamlReader.Get(checksNode, check.Name) : null, YamlReader.Join("checks", check.Name), "a 'proxy' check needs a proxy: section to check");
                }
            }
            metrics = ReadMetrics(r, r.Mapping(root, "", "metrics"));
            control = ReadControl(r, r.Mapping(root, "", "control"));
            crashRecovery = ReadCrashRecovery(r, r.Mapping(root, "", "crash_recovery"));
        }

        if (r.Errors.Count > 0)
        {
            throw new ConfigException(r.Errors);
        }

        return new CloudCoreLbConfig { SourceFile = file, NodeName = nodeName, VrrpInstances = instances, VrrpSyncGroups = syncGroups, Checks = checks, Proxy = proxy, Metrics = metrics, Control = control, CrashRecovery = crashRecovery };
    }

    private static MetricsOptions ReadMetrics(YamlReader r, YamlMappingNode? section)
    {
        if (section is null)
        {
            return new MetricsOptions();
        }

        r.CheckKeys(section, "metrics", "listen");
        var text = r.String(section, "metrics", "listen");
        if (text is null)
        {
            return new MetricsOptions();
        }

        if (text == "off")
        {
            return new MetricsOptions { Listen = null };
        }

        if (System.Net.IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0)
        {
            return new MetricsOptions { Listen = endPoint };
        }

        r.Error(YamlReader.Get(section, "listen"), "metrics.listen", $"'{text}' is not an address:port or off");
        return new MetricsOptions();
    }

    private static CrashRecoveryOptions ReadCrashRecovery(YamlReader r, YamlMappingNode? section)
    {
        var defaults = new CrashRecoveryOptions();
        if (section is null)
        {
            return defaults;
        }

        const string path = "crash_recovery";
        r.CheckKeys(section, path, "enabled", "session_age", "max_sessions");
        return new CrashRecoveryOptions
        {
            Enabled = r.Bool(section, path, "enabled") ?? defaults.Enabled,
            SessionAge = r.Duration(section, path, "session_age", TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)) ?? defaults.SessionAge,
            MaxSessions = r.Int(section, path, "max_sessions", 1, 4_000_000) ?? defaults.MaxSessions,
        };
    }

    private static ControlOptions ReadControl(YamlReader r, YamlMappingNode? section)
    {
        if (section is null)
        {
            return new ControlOptions();
        }

        r.CheckKeys(section, "control", "socket");
        var socket = r.String(section, "control", "socket");
        if (socket is not null && !Path.IsPathFullyQualified(socket))
        {
            r.Error(YamlReader.Get(section, "socket"), "control.socket", $"'{socket}' is not an absolute path");
            return new ControlOptions();
        }

        // What bind(2) on a unix socket takes (sun_path, unix(7)); otherwise the control server fails at start.
        if (socket is not null && (socket.Contains('\0', StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(socket) > MaxUnixSocketPath))
        {
            r.Error(YamlReader.Get(section, "socket"), "control.socket", $"not a unix socket path: at most {MaxUnixSocketPath} bytes and no NUL character");
            return new ControlOptions();
        }

        return socket is null ? new ControlOptions() : new ControlOptions { Socket = socket };
    }
}
