using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Import;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>What both importers promise: a rejection names the file and line, and what they write is valid YAML.</summary>
internal static class ImportChecks
{
    /// <summary>Options that keep the importer off the disk: no script is read, every command resolves.</summary>
    public static ImportOptions Options { get; } = new()
    {
        ReadScript = _ => null,
        ResolveCommand = name => "/usr/bin/" + name,
    };

    public static void Rejection(ImportException ex, string file)
    {
        if (ex.File != file || ex.Line <= 0 || !ex.Message.StartsWith($"{file}:{ex.Line}: ", StringComparison.Ordinal))
        {
            throw new FuzzInvariantException($"import rejection without file and line: '{ex.Message}' (file '{ex.File}', line {ex.Line})");
        }
    }

    /// <summary>
    /// The emitted YAML goes through the daemon's loader, as 'import' does. The loader may reject it (an import the
    /// operator must finish by hand), but never as YAML syntax: that would mean the emitter wrote input text unquoted.
    /// </summary>
    public static void Output(string yaml)
    {
        try
        {
            ConfigLoader.Parse(yaml, "imported.yaml", "node1");
        }
        catch (ConfigException ex) when (!ex.Errors.Any(e => e.Message.StartsWith("YAML syntax error", StringComparison.Ordinal)))
        {
        }
        catch (ConfigException ex)
        {
            throw new FuzzInvariantException($"the importer wrote invalid YAML: {ex.Message}\n{yaml}");
        }
    }

    // Include lines would glob the real file system; the fuzzer is kept to the text it was given.
    public static string WithoutIncludes(string text) => text.Replace("include", "inclu_e", StringComparison.Ordinal);
}
