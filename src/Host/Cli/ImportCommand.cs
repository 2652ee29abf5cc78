using System.CommandLine;
using CloudCoreLb.Host.Configuration;
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
        var command = new Command("import", "Convert keepalived.conf and haproxy.cfg into a cloudcore-lb configuration and check it; warnings and the check go to standard error (exit 2: written, but the check rejects it).")
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

    /// <returns>
    /// 0 when converted (warnings included) and the result passes <c>check</c>; 2 when converted and written but the
    /// check rejects it; 1 when an input cannot be read or parsed or the output cannot be written.
    /// </returns>
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
        stderr.WriteLine($"import: converted with {warnings} warning(s)");
        return Check(yaml, outputFile ?? "(standard output)", stderr);
    }

    /// <summary>
    /// The full <c>check</c> of what was written, on this machine (scripts must exist here, as on the node that runs
    /// it): an import is done when its result loads, so its last lines say whether it does and what to fix.
    /// </summary>
    /// <returns>0 when the result passes, 2 when it was written but the check rejects it.</returns>
    private static int Check(string yaml, string file, TextWriter stderr)
    {
        try
        {
            var config = ConfigLoader.Parse(yaml, file, nodeName: null);
            stderr.WriteLine($"check: {file}: configuration is valid ({config.VrrpInstances.Count} VRRP instance(s), node '{config.NodeName}')");
            return 0;
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors)
            {
                stderr.WriteLine($"check: {error}");
            }

            stderr.WriteLine($"check: {file}: {ex.Errors.Count} error(s); fix them before deploying (cloudcore-lb check --config FILE checks again)");
            return 2;
        }
    }

    private static void Report(ImportDiagnostics diagnostics, TextWriter stderr)
    {
        foreach (var diagnostic in diagnostics.Items)
        {
            stderr.WriteLine(diagnostic);
        }
    }
}
