using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Fuzz.Targets;

namespace CloudCoreLb.Fuzz.Tests.Targets;

/// <summary>
/// The CI half of the fuzzing (the benchmark half is benchmarks/fuzz.sh, 1 M inputs per target): every target, its
/// committed seeds and a few thousand mutated and random inputs from a fixed seed, without instrumentation, so the
/// run is the same on every machine. Any failure prints the input in hex for a regression test.
/// </summary>
public sealed class SeededFuzzTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryParser_SurvivesItsSeedsAndThousandsOfMutatedAndRandomInputs(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var seeds = Corpus.Load(Corpus.DefaultDirectory(name));

        // The text targets run the whole importer or loader per input (~0.5 ms); the binary ones take microseconds.
        var inputs = target.MaxInputLength > 4096 && name != "netlink" ? 2_000 : 5_000;
        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = inputs, Seed = 15, SlowInput = TimeSpan.FromSeconds(5) }).Run(seeds);

        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures));
        Assert.NotEmpty(seeds);
        Assert.Equal(seeds.Count + inputs, report.Inputs);
        Assert.True(report.Accepted >= seeds.Count(s => target.Run(s) == FuzzOutcome.Accepted) && report.Accepted > 0, $"only {report.Accepted} inputs accepted");
    }

    [Fact]
    public void EverySeed_IsAcceptedByItsParser()
    {
        foreach (var target in FuzzTargets.All)
        {
            foreach (var file in Directory.EnumerateFiles(Corpus.DefaultDirectory(target.Name)))
            {
                // Netlink's ACK and error seeds are valid replies that carry no link or address.
                var expected = target.Name == "netlink" && Path.GetFileName(file).StartsWith("error-", StringComparison.Ordinal)
                    ? FuzzOutcome.Rejected
                    : FuzzOutcome.Accepted;
                Assert.True(expected == target.Run(File.ReadAllBytes(file)), $"{target.Name}/{Path.GetFileName(file)}");
            }
        }
    }
}
