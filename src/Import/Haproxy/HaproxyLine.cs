namespace CloudCoreLb.Import.Haproxy;

/// <summary>One haproxy.cfg statement: unquoted, unescaped words.</summary>
internal sealed record HaproxyLine(string File, int Line, IReadOnlyList<string> Words)
{
    public string Keyword => Words[0];
}
