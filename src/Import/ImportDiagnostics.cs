namespace CloudCoreLb.Import;

/// <summary>Collects the warnings of one import run, in the order they were found.</summary>
public sealed class ImportDiagnostics
{
    private const string Hidden = "********";
    private readonly List<ImportDiagnostic> _items = [];

    /// <summary>Every warning and note, in input order.</summary>
    public IReadOnlyList<ImportDiagnostic> Items => _items;

    /// <summary>The diagnostics that mean part of the input was not carried over.</summary>
    public IEnumerable<ImportDiagnostic> Warnings => _items.Where(d => d.Severity == ImportSeverity.Warning);

    internal void Warn(string file, int line, string message) => _items.Add(new ImportDiagnostic(file, line, ImportSeverity.Warning, message));

    internal void Note(string file, int line, string message) => _items.Add(new ImportDiagnostic(file, line, ImportSeverity.Note, message));

    /// <summary>
    /// Joins words for quoting in a message, hiding whatever follows <c>auth_pass</c>: a one-line
    /// <c>authentication { auth_type PASS auth_pass secret }</c> puts the password among "ignored" trailing words.
    /// </summary>
    internal static string Mask(IEnumerable<string> words)
    {
        var result = new List<string>();
        var hideNext = false;
        foreach (var word in words)
        {
            result.Add(hideNext ? Hidden : word);
            hideNext = word == "auth_pass";
        }

        return string.Join(' ', result);
    }
}
