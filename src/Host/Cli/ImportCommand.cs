using System.CommandLine;
using CloudCoreLb.Import;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>cloudcore-lb import --keepalived FILE... [--haproxy FILE] [--output FILE] [--exact-hash]</c>: converts an
/// existing keepalived.conf (one per node) and haproxy.cfg into one cloudcore-lb.yaml for every master.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var keepalived = new Option<string[]>("--keepalived", "-k")
        {
            Description = "keepalived.conf to import; give it once per node to merge the nodes' files (per-node priorities go under 'nodes:')",
            Arity = ArgumentArity.OneOrMore,
        };
        var haproxy = new Option<string?>("--haproxy")
        {
            Description = "haproxy.cfg to import into the 'proxy' section",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the YAML here instead of standard output",
        };
        var exactHash = new Option<bool>("--exact-hash")
        {
            Description = "Import haproxy's map-based 'balance source' as 'source-map' (same client-to-server mapping as haproxy) instead of consistent 'source'",
        };
        var command = new Command("import", "Convert keepalived.conf and haproxy.cfg into a cloudcore-lb configuration; warnings go to standard error.")
        {
            keepalived, haproxy, output, exactHash,
        };
        command.SetAction(p => Execute(
            p.GetValue(keepalived) ?? [],
            p.GetValue(haproxy),
            p.GetValue(output),
            new ImportOptions { ExactHash = p.GetValue(exactHash) },
            Console.Out,
            Console.Error));
        return command;
    }

    /// <returns>0 when converted (warnings included), 1 when an input cannot be read or parsed.</returns>
    public static int Execute(IReadOnlyList<string> keepalivedFiles, string? haproxyFile, string? outputFile, ImportOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (keepalivedFiles.Count == 0 && haproxyFile is null)
        {
            stderr.WriteLine("import: nothing to import; give --keepalived FILE and/or --haproxy FILE");
            return 1;
        }

        var diagnostics = new ImportDiagnostics();
        string yaml;
        try
        {
            yaml = Importer.Run(keepalivedFiles, haproxyFile, options, diagnostics);
        }
        catch (ImportException ex)
        {
            Report(diagnostics, stderr);
            stderr.WriteLine(ex.Message);
            return 1;
        }

        Report(diagnostics, stderr);
        if (outputFile is null)
        {
            stdout.Write(yaml);
        }
        else
        {
            try
            {
                File.WriteAllText(outputFile, yaml);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{outputFile}: error: cannot write: {ex.Message}");
                return 1;
            }
        }

        var warnings = diagnostics.Warnings.Count();
        stderr.WriteLine($"import: converted with {warnings} warning(s); validate with 'cloudcore-lb check --config {outputFile ?? "FILE"}'");
        return 0;
    }

    private static void Report(ImportDiagnostics diagnostics, TextWriter stderr)
    {
        foreach (var diagnostic in diagnostics.Items)
        {
            stderr.WriteLine(diagnostic);
        }
    }
}
