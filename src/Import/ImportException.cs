namespace CloudCoreLb.Import;

/// <summary>An input that cannot be read or parsed at all; the import stops with exit code 1.</summary>
public sealed class ImportException(string file, int line, string message)
    : Exception(line > 0 ? $"{file}:{line}: error: {message}" : $"{file}: error: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
