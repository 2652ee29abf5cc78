using System.Text;
using CloudCoreLb.Fuzz.Engine;

namespace CloudCoreLb.Fuzz.Tests.Engine;

/// <summary>Each invariant the runner checks, shown failing on a target built to break it.</summary>
public sealed class FuzzRunnerTests
{
    private static readonly FuzzRunOptions s_short = new() { Inputs = 500, Seed = 3 };

    [Fact]
    public void AnExceptionThatEscapesTheParser_IsAFailureWithTheInput()
    {
        var report = Run(new Throwing());

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FuzzFailureKind.Exception, failure.Kind);
        Assert.Contains("IndexOutOfRangeException", failure.Detail, StringComparison.Ordinal);
        Assert.Contains((byte)'!', failure.Input);
    }

    [Fact]
    public void ABrokenPromise_IsAnInvariantFailure()
    {
        var report = Run(new Throwing { Invariant = true });

        Assert.Equal(FuzzFailureKind.Invariant, Assert.Single(report.Failures).Kind);
    }

    [Fact]
    public void AllocatingMoreThanTheBudget_IsAFailure()
    {
        var report = Run(new Allocating());

        Assert.Equal(FuzzFailureKind.Allocation, Assert.Single(report.Failures).Kind);
    }

    [Fact]
    public void AnInputThatNeverFinishes_IsReportedAsAHang()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var report = new FuzzRunner(new Hanging(release), s_short with { Hang = TimeSpan.FromSeconds(1) }).Run([[1, 2, 3]]);

            var failure = Assert.Single(report.Failures);
            Assert.Equal(FuzzFailureKind.Hang, failure.Kind);
            Assert.Contains((byte)'!', failure.Input);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void AWellBehavedParser_PassesAndCountsEveryInput()
    {
        var report = Run(new Throwing { Trigger = 0 });

        Assert.Empty(report.Failures);
        Assert.Equal(501, report.Inputs);
        Assert.Equal(501, report.Accepted);
    }

    [Fact]
    public void TheSameSeed_GivesTheSameRun()
    {
        var first = new Recording();
        var second = new Recording();
        new FuzzRunner(first, s_short).Run([Encoding.ASCII.GetBytes("seed input")]);
        new FuzzRunner(second, s_short).Run([Encoding.ASCII.GetBytes("seed input")]);

        Assert.Equal(first.Inputs, second.Inputs);
        Assert.Equal(501, first.Inputs.Count);
    }

    private static FuzzReport Run(FuzzTarget target) => new FuzzRunner(target, s_short).Run([Encoding.ASCII.GetBytes("no trigger here")]);

    // Fails on any input holding the trigger byte, which the mutator soon produces.
    private sealed class Throwing : FuzzTarget
    {
        public byte Trigger { get; init; } = (byte)'!';

        public bool Invariant { get; init; }

        public override string Name => "throwing";

        public override FuzzOutcome Run(ReadOnlySpan<byte> input)
        {
            if (Trigger != 0 && input.Contains(Trigger))
            {
                if (Invariant)
                {
                    throw new FuzzInvariantException("a rejection without a line");
                }

                var empty = Array.Empty<int>();
                return (FuzzOutcome)empty[input.Length];
            }

            return FuzzOutcome.Accepted;
        }
    }

    private sealed class Allocating : FuzzTarget
    {
        public override string Name => "allocating";

        public override FuzzOutcome Run(ReadOnlySpan<byte> input)
        {
            // An unchecked length field: a 4-byte input that asks for a megabyte.
            var buffer = new byte[input.Length >= 2 && input[0] > 0x80 ? 1 << 20 : 16];
            GC.KeepAlive(buffer);
            return FuzzOutcome.Rejected;
        }
    }

    private sealed class Hanging(ManualResetEventSlim release) : FuzzTarget
    {
        public override string Name => "hanging";

        public override FuzzOutcome Run(ReadOnlySpan<byte> input)
        {
            if (input.Contains((byte)'!'))
            {
                release.Wait();
            }

            return FuzzOutcome.Rejected;
        }
    }

    private sealed class Recording : FuzzTarget
    {
        public List<string> Inputs { get; } = [];

        public override string Name => "recording";

        public override FuzzOutcome Run(ReadOnlySpan<byte> input)
        {
            Inputs.Add(Convert.ToHexString(input));
            return FuzzOutcome.Accepted;
        }
    }
}
