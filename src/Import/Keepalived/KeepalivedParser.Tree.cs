namespace CloudCoreLb.Import.Keepalived;

/// <summary>Phase 1: the flat lines become a tree of keywords and their <c>{ ... }</c> blocks.</summary>
internal sealed partial class KeepalivedParser
{
    /// <summary>Pairs keyword lines with the <c>{ ... }</c> that follows them (same line or next).</summary>
    internal List<KeepalivedNode> BuildTree(IReadOnlyList<KeepalivedLine> lines)
    {
        var root = new List<KeepalivedNode>();
        var stack = new Stack<(List<KeepalivedNode> List, KeepalivedNode? Owner, KeepalivedLine Open)>();
        var current = root;
        KeepalivedNode? previous = null;
        foreach (var line in lines)
        {
            if (line.IsOpenBrace)
            {
                var owner = previous is { Children: null } ? previous : null;
                if (owner is null)
                {
                    diagnostics.Warn(line.File, line.Line, "'{' without a keyword before it; the block is skipped");
                }

                var children = new List<KeepalivedNode>();
                if (owner is not null)
                {
                    owner.Children = children;
                }

                stack.Push((current, owner, line));
                current = children;
                previous = null;
            }
            else if (line.IsCloseBrace)
            {
                if (stack.Count == 0)
                {
                    diagnostics.Warn(line.File, line.Line, "extra '}' ignored (keepalived: \"Extra '}' found\")");
                }
                else
                {
                    current = stack.Pop().List;
                }

                previous = null;
            }
            else
            {
                previous = new KeepalivedNode(line);
                current.Add(previous);
            }
        }

        if (stack.Count > 0)
        {
            // A '{' without a keyword owns nothing, but its own line is still where the block starts.
            var (_, owner, open) = stack.Last();
            var where = owner is null ? "" : $" ('{ImportDiagnostics.Mask(owner.Line.Words)}' at line {owner.Line.Line})";
            throw new ImportException(owner?.Line.File ?? open.File, owner?.Line.Line ?? open.Line, $"a block{where} is never closed with '}}'");
        }

        return root;
    }
}
