using CloudCoreLb.HealthCheck;
using CloudCoreLb.Import.Haproxy;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>
/// Turns parsed keepalived and haproxy configurations into cloudcore-lb YAML (docs/configuration.md). Values that
/// differ in meaning are converted, not copied: haproxy's bare <c>2000</c> becomes <c>2s</c>, keepalived's bare
/// <c>2</c> becomes <c>2s</c>; everything that cannot be carried over is a diagnostic and, where useful, a comment.
/// </summary>
internal sealed partial class ImportConverter(ImportOptions options, ImportDiagnostics diagnostics)
{
    private readonly YamlEmitter _yaml = new();

    public string Convert(IReadOnlyList<KeepalivedConfig> keepalived, HaproxyConfig? haproxy)
    {
        var inputs = keepalived.Select(k => Path.GetFileName(k.File)).ToList();
        if (haproxy is not null)
        {
            inputs.Add(Path.GetFileName(haproxy.File));
        }

        _yaml.Comment($"cloudcore-lb configuration imported from {string.Join(", ", inputs)} by 'cloudcore-lb import'.");
        _yaml.Comment("Review the comments and the warnings printed by the import, then validate with 'cloudcore-lb check'.");
        if (keepalived.Count > 0)
        {
            var sources = NameNodes(keepalived);
            WriteVrrp(sources);
            WriteChecks(sources);
        }

        if (haproxy is not null)
        {
            WriteProxy(haproxy);
        }

        return _yaml.ToString();
    }

    private List<ImportSource> NameNodes(IReadOnlyList<KeepalivedConfig> configs)
    {
        var sources = new List<ImportSource>();
        foreach (var config in configs)
        {
            var name = config.RouterId ?? Path.GetFileNameWithoutExtension(config.File);
            if (sources.Any(s => s.NodeName == name))
            {
                var fallback = Path.GetFileNameWithoutExtension(config.File);
                diagnostics.Warn(config.File, 0, $"router_id '{name}' is also used by another file; this node is named '{fallback}' instead");
                name = sources.Any(s => s.NodeName == fallback) ? $"{fallback}-{sources.Count + 1}" : fallback;
            }

            sources.Add(new ImportSource(name, config));
        }

        return sources;
    }

    private static string Duration(TimeSpan value) => DurationParser.Format(value);
}
