namespace CloudCoreLb.Fuzz.Engine;

/// <summary>The figures of one run: what the README's fuzzing table shows, plus the failures found.</summary>
internal sealed record FuzzReport(
    string Target,
    long Inputs,
    long Accepted,
    TimeSpan Elapsed,
    int Edges,
    int CorpusSize,
    long MaxAllocatedBytes,
    TimeSpan SlowestInput,
    IReadOnlyList<FuzzFailure> Failures)
{
    public double InputsPerSecond => Elapsed.TotalSeconds > 0 ? Inputs / Elapsed.TotalSeconds : 0;

    public override string ToString() =>
        $"{Target}: {Inputs:N0} inputs ({Accepted:N0} accepted) in {Elapsed.TotalSeconds:F1} s, {InputsPerSecond:N0}/s, "
        + $"{Edges:N0} edges, corpus {CorpusSize:N0}, max {MaxAllocatedBytes:N0} B allocated, slowest {SlowestInput.TotalMilliseconds:F1} ms, "
        + $"{Failures.Count} failure(s)";
}
