namespace CloudCoreLb.Import;

/// <summary>One thing the importer could not carry over, located by file and line like a compiler message.</summary>
/// <remarks>Messages never contain an <c>auth_pass</c> value; see <see cref="ImportDiagnostics.Mask"/>.</remarks>
public sealed record ImportDiagnostic(string File, int Line, ImportSeverity Severity, string Message)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var kind = Severity == ImportSeverity.Warning ? "warning" : "note";
        return Line > 0 ? $"{File}:{Line}: {kind}: {Message}" : $"{File}: {kind}: {Message}";
    }
}
