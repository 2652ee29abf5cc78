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
