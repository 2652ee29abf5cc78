using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// The file a notify command runs must pass the same rules as a tracked script (<see cref="ScriptSecurity"/>): notify
/// commands run as root on every transition, so a script another user can rewrite is a root shell for that user.
/// keepalived applies these rules to notify scripts only with <c>enable_script_security</c> and then silently skips
/// the script; here an unsafe file is a config error.
/// </summary>
internal static class NotifyCommandSecurity
{
    /// <summary>
    /// Checks the file <paramref name="command"/> starts: its first word, or what that word resolves to on
    /// <paramref name="searchPath"/> (the daemon's PATH) when it has no slash. A first word found nowhere on PATH is a
    /// shell builtin or keyword (the command runs with <c>/bin/sh -c</c>), which runs no file and is not checked.
    /// </summary>
    /// <returns>The problems, each a sentence naming the file; empty when the command is acceptable.</returns>
    public static IReadOnlyList<string> Validate(string command, string? searchPath)
    {
        string[] words;
        try
        {
            words = ScriptCommandLine.Split(command);
        }
        catch (FormatException ex)
        {
            return [$"notify command '{command}': {ex.Message}"];
        }

        if (words.Length == 0)
        {
            return [$"notify command '{command}' is empty"];
        }

        var file = words[0].Contains('/', StringComparison.Ordinal) ? words[0] : CommandPath.Find(words[0], searchPath);
        return file is null ? [] : ScriptSecurity.Validate(file, runAs: null);
    }
}
