using System.Text;

namespace CloudCoreLb.Fuzz.Engine;

/// <summary>
/// One parser under test. <see cref="Run"/> feeds it one input and returns how the parser took it; it throws
/// <see cref="FuzzInvariantException"/> when the parser broke a promise (a rejection without file and line), and any
/// other exception escaping it is the parser's own unhandled exception, which the runner counts as a failure.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The name used on the command line and as the corpus folder (corpus/NAME).</summary>
    public abstract string Name { get; }

    /// <summary>Longest input the mutator builds; real inputs of this kind are far shorter.</summary>
    public virtual int MaxInputLength => 4096;

    /// <summary>Words worth splicing into inputs (keywords, separators), since random bytes rarely spell them.</summary>
    public virtual IReadOnlyList<byte[]> Dictionary => [];

    /// <summary>
    /// The most one input of <paramref name="length"/> bytes may allocate. Linear in the input: a parser that
    /// allocates more for a short input (an unchecked length field, a quadratic copy) fails the run.
    /// </summary>
    public virtual long AllocationBudget(int length) => (64 * 1024) + (256L * length);

    public abstract FuzzOutcome Run(ReadOnlySpan<byte> input);

    /// <summary>Decodes a text input the way the daemon reads files (UTF-8, invalid bytes replaced).</summary>
    protected static string Text(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);

    protected static byte[][] Words(params string[] words) => [.. words.Select(Encoding.UTF8.GetBytes)];
}
