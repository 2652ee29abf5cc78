namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// Reads and validates <c>cloudcore-lb.yaml</c>. The same file can be deployed on every master: per-node values sit
/// under an instance's <c>nodes:</c> map, keyed by host name, and are picked with the node name (the seesaw model of
/// one file pushed everywhere, instead of keepalived's hand-edited copy per node).
/// </summary>
internal static partial class ConfigLoader
{
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

        return Parse(text, path, nodeName ?? Environment.MachineName);
    }

    public static CloudCoreLbConfig Parse(string text, string file, string nodeName)
    {
        var r = new YamlReader(file);
        var root = r.ParseRoot(text);
        IReadOnlyList<VrrpInstanceConfig> instances = [];
        IReadOnlyDictionary<string, CheckDefinition> checks = new Dictionary<string, CheckDefinition>();
        if (root is not null)
        {
            r.CheckKeys(root, "", "vrrp", "checks");
            checks = ReadChecks(r, r.Mapping(root, "", "checks"));
            instances = ReadVrrp(r, r.Mapping(root, "", "vrrp"), nodeName, checks);
        }

        if (r.Errors.Count > 0)
        {
            throw new ConfigException(r.Errors);
        }

        return new CloudCoreLbConfig { SourceFile = file, NodeName = nodeName, VrrpInstances = instances, Checks = checks };
    }
}
