namespace CloudCoreLb.Host.Configuration;

/// <summary>One configuration problem, located by file, line and key so an operator can fix it without guessing.</summary>
internal sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        Key.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Key}: {Message}";
}
