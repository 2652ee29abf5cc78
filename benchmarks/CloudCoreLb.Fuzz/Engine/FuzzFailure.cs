namespace CloudCoreLb.Fuzz.Engine;

/// <summary>What went wrong on one input: an exception, a broken invariant, too much time or too much memory.</summary>
internal sealed record FuzzFailure(FuzzFailureKind Kind, string Detail, byte[] Input)
{
    /// <summary>Groups failures that are the same bug: the kind plus the exception type and the frame that threw.</summary>
    public string Signature { get; init; } = Kind.ToString();

    public override string ToString() => $"{Kind}: {Detail} (input {Input.Length} bytes: {Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 96)))}{(Input.Length > 96 ? "..." : "")})";
}

internal enum FuzzFailureKind
{
    /// <summary>An exception other than the parser's documented rejection escaped.</summary>
    Exception,

    /// <summary>The parser rejected the input but not in the documented way (no file and line, for example).</summary>
    Invariant,

    /// <summary>One input took longer than the per-input bound.</summary>
    Slow,

    /// <summary>One input did not finish at all within the hang bound.</summary>
    Hang,

    /// <summary>One input allocated more than its budget (<see cref="FuzzTarget.AllocationBudget"/>).</summary>
    Allocation,
}
