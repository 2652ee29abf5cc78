namespace CloudCoreLb.Import.Keepalived;

/// <summary>A keyword line of keepalived.conf with its <c>{ ... }</c> block, if one follows it.</summary>
internal sealed class KeepalivedNode(KeepalivedLine line)
{
    public KeepalivedLine Line { get; } = line;

    public string Keyword => Line.Words[0];

    public IReadOnlyList<string> Args => Line.Words.Skip(1).ToArray();

    /// <summary>The block's entries; <see langword="null"/> when no <c>{</c> followed the keyword.</summary>
    public List<KeepalivedNode>? Children { get; set; }
}
