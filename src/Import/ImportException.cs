namespace CloudCoreLb.Import;

/// <summary>An input that cannot be read or parsed at all; the import stops with exit code 1.</summary>
public sealed class ImportException(string file, int line, string message)
    : Exception(line > 0 ? $"{file}:{line}: error: {message}" : $"{file}: error: {message}")
{
    /// <summary>The input file the error is in.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line of the error, or 0 when it concerns the file as a whole.</summary>
    public int Line { get; } = line;
}
