namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// Reads keepalived.conf lines into a <see cref="KeepalivedConfig"/>. Like keepalived, a keyword uses the words it
/// needs and ignores the rest, but here every ignored word, unknown keyword and unsupported feature is a warning.
/// </summary>
/// <remarks>
/// One partial per phase: <c>.Tree</c> pairs keywords with their blocks, <c>.Globals</c>, <c>.Scripts</c> and
/// <c>.Instances</c> read the sections, <c>.Values</c> coerces a keyword's words into values, <c>.Unsupported</c> names
/// what is not carried over and why.
/// </remarks>
internal sealed partial class KeepalivedParser(ImportDiagnostics diagnostics)
{
    public KeepalivedConfig Parse(string file, IReadOnlyList<KeepalivedLine> lines)
    {
        var config = new KeepalivedConfig(file);
        foreach (var node in BuildTree(lines))
        {
            switch (node.Keyword)
            {
                case "global_defs":
                    if (Block(node) is { } globals)
                    {
                        ReadGlobals(config, globals);
                    }

                    break;
                case "vrrp_script":
                    if (Name(node) is { } scriptName && Block(node) is { } scriptBody)
                    {
                        // keepalived keeps both and every lookup by name finds the first.
                        if (config.Scripts.FirstOrDefault(s => s.Name == scriptName) is { } firstScript)
                        {
                            Warn(node, $"vrrp_script {scriptName} is defined again (first at line {firstScript.Line}); keepalived tracks the first, so this one is not imported");
                            break;
                        }

                        config.Scripts.Add(ReadScript(new KeepalivedScript(scriptName, node.Line.File, node.Line.Line), scriptBody, config));
                    }

                    break;
                case "vrrp_instance":
                    if (Name(node) is { } instanceName && Block(node) is { } instanceBody)
                    {
                        if (config.Instances.FirstOrDefault(i => i.Name == instanceName) is { } firstInstance)
                        {
                            Warn(node, $"vrrp_instance {instanceName} is defined again (first at line {firstInstance.Line}); keepalived refuses the second and skips its block, so it is not imported");
                            break;
                        }

                        config.Instances.Add(ReadInstance(new KeepalivedInstance(instanceName, node.Line.File, node.Line.Line), instanceBody));
                    }

                    break;
                case "vrrp_sync_group":
                    ReadSyncGroup(config, node);
                    break;
                default:
                    NotCarried(node);
                    break;
            }
        }

        ResolveVersions(config);
        return config;
    }

    private void Warn(KeepalivedNode node, string message) => diagnostics.Warn(node.Line.File, node.Line.Line, message);
}
