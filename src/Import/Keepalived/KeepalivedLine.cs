namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// One logical keepalived.conf line: comments removed, braces split onto lines of their own, double quotes removed
/// from words. <see cref="Raw"/> keeps the quoting for <c>script</c> and <c>notify_*</c>, which keepalived re-parses.
/// </summary>
internal sealed record KeepalivedLine(string File, int Line, IReadOnlyList<string> Words, string Raw)
{
    public bool IsOpenBrace => Words is ["{"] && Raw == "{";

    public bool IsCloseBrace => Words is ["}"] && Raw == "}";
}
