using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.Import;

/// <summary>Choices an operator makes for one import run.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// Emit <c>balance: source-map</c> for haproxy's map-based <c>balance source</c>, so clients hash exactly as
    /// under haproxy (for clusters where both serve clients during the migration).
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>: consistent hashing (<c>source</c>) moves fewer clients on failure.</remarks>
    public bool ExactHash { get; init; }

    /// <summary>Reads a health-check script so the importer can suggest a native check; null when unreadable.</summary>
    /// <remarks>Defaults to reading the file from disk.</remarks>
    public Func<string, string?> ReadScript { get; init; } = ReadScriptFromDisk;

    /// <summary>
    /// Finds a command named without a slash the way keepalived does (<see cref="CommandPath"/>); null when it is not
    /// found. The importer writes the result as the absolute path the daemon requires.
    /// </summary>
    /// <remarks>Defaults to searching this process's <c>PATH</c> (keepalived's fallback <c>/bin:/usr/bin</c> when unset).</remarks>
    public Func<string, string?> ResolveCommand { get; init; } = name => CommandPath.Find(name, Environment.GetEnvironmentVariable("PATH"));

    private static string? ReadScriptFromDisk(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length < 256 * 1024 ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
