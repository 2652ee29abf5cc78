using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.Import.Conversion;

/// <summary>Script and notify command lines as the daemon runs them: argv[0] an absolute path.</summary>
internal sealed partial class ImportConverter
{
    /// <summary>
    /// keepalived searches <c>PATH</c> for a command named without a slash (and logs that it did); the daemon runs only
    /// absolute paths, so the importer does the search once and writes the result, with a comment saying so.
    /// </summary>
    /// <returns>The command line to write and the comment for it (null when nothing was resolved).</returns>
    private (string CommandLine, string? Comment) ResolveCommand(string commandLine, string file, int line, string what)
    {
        // The parser kept only command lines the runtime can split.
        var argv = ScriptCommandLine.Split(commandLine);
        var name = argv[0];
        if (name.Contains('/'))
        {
            return (commandLine, null);
        }

        if (options.ResolveCommand(name) is not { } found)
        {
            diagnostics.Warn(file, line, $"{what}: '{name}' has no path and is not on this machine's PATH; keepalived searches PATH, cloudcore-lb runs only absolute paths: write the full path");
            return (commandLine, null);
        }

        argv[0] = found;
        diagnostics.Note(file, line, $"{what}: '{name}' resolved on PATH to {found}, as keepalived does at start; the absolute path is written because cloudcore-lb runs only absolute paths");
        return (ScriptCommandLine.Join(argv), $"keepalived '{name}', found on the importing machine's PATH");
    }
}
