namespace CloudCoreLb.Fuzz.Engine;

/// <summary>How long and how hard one target is fuzzed.</summary>
internal sealed record FuzzRunOptions
{
    /// <summary>Inputs to run after the seeds; the benchmark run uses 1,000,000, CI a few thousand.</summary>
    public long Inputs { get; init; } = 10_000;

    /// <summary>Seed of the mutator, so a run without coverage feedback is the same run every time.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// One input taking longer than this is a failure. Generous: the parsers take microseconds, and a GC pause or a
    /// busy neighbour on a 2-core machine must not pass for a bug; a real hang never finishes.
    /// </summary>
    public TimeSpan SlowInput { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An input still running after this is reported as a hang and the run stops.</summary>
    public TimeSpan Hang { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Distinct failures (by signature) kept before the run stops early.</summary>
    public int MaxFailures { get; init; } = 20;

    /// <summary>Every this many inputs, one of random bytes instead of a mutation.</summary>
    public int RandomEvery { get; init; } = 32;

    /// <summary>Called every 2^16 inputs with the progress so far (the benchmark prints it); null for none.</summary>
    public Action<FuzzReport>? Progress { get; init; }
}
