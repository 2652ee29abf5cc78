using System.Diagnostics;

namespace CloudCoreLb.Fuzz.Engine;

/// <summary>
/// Runs one target in-process: the seeds first, then mutations of the corpus, keeping any input that reaches new
/// coverage (when the assemblies are instrumented, see <see cref="CoverageMap"/>). Checks the four invariants on every
/// input: no exception but the documented rejection, no hang, no input slower than the bound, allocation within the
/// target's budget.
/// </summary>
internal sealed class FuzzRunner(FuzzTarget target, FuzzRunOptions options)
{
    private readonly List<byte[]> _corpus = [];
    private readonly Dictionary<string, FuzzFailure> _failures = [];
    private long _inputs;
    private long _accepted;
    private long _maxAllocated;
    private long _slowestTicks;
    private bool _coverage = true;

    // The input on the fuzzing thread and when it started (0 = between inputs), for the hang watchdog.
    private byte[] _current = [];
    private long _currentStarted;

    /// <summary>Runs the seeds and then <see cref="FuzzRunOptions.Inputs"/> generated inputs.</summary>
    public FuzzReport Run(IReadOnlyList<byte[]> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var stopwatch = Stopwatch.StartNew();

        // On its own thread so that a hung input can be reported; the thread is a background one and is abandoned.
        var worker = new Thread(() => Loop(seeds), 16 * 1024 * 1024) { IsBackground = true, Name = $"fuzz {target.Name}" };
        worker.Start();
        while (!worker.Join(100))
        {
            var started = Volatile.Read(ref _currentStarted);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > options.Hang)
            {
                var input = Volatile.Read(ref _current);
                lock (_failures)
                {
                    _failures[FuzzFailureKind.Hang.ToString()] = new FuzzFailure(FuzzFailureKind.Hang, $"no answer after {options.Hang.TotalSeconds:F0} s", input);
                }

                break;
            }
        }

        return Report(stopwatch.Elapsed);
    }

    private void Loop(IReadOnlyList<byte[]> seeds)
    {
        CoverageMap.Attach();
        CoverageMap.Clear();
        var random = new Random(options.Seed);
        var mutator = new Mutator(random, target.Dictionary, target.MaxInputLength);
        foreach (var seed in seeds)
        {
            Execute(seed, keepAlways: true);
        }

        if (_corpus.Count == 0)
        {
            _corpus.Add([]);
        }

        // Coverage feedback only when the code under test is instrumented: otherwise the map stays empty and clearing
        // and scanning it would cost more than the parsers themselves. Edges are counted per process: one target each.
        _coverage = CoverageMap.Edges > 0;
        for (long i = 0; i < options.Inputs && FailureCount < options.MaxFailures; i++)
        {
            var input = options.RandomEvery > 0 && i % options.RandomEvery == 0
                ? mutator.Random()
                : mutator.Mutate(_corpus[random.Next(_corpus.Count)], _corpus);
            Execute(input, keepAlways: false);
            if (options.Progress is not null && (i & 0xFFFF) == 0xFFFF)
            {
                options.Progress(Report(TimeSpan.Zero));
            }
        }
    }

    private int FailureCount
    {
        get
        {
            lock (_failures)
            {
                return _failures.Count;
            }
        }
    }

    private void Execute(byte[] input, bool keepAlways)
    {
        if (_coverage)
        {
            CoverageMap.Reset();
        }

        Volatile.Write(ref _current, input);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _currentStarted, started);
        FuzzFailure? failure = null;
        try
        {
            if (target.Run(input) == FuzzOutcome.Accepted)
            {
                _accepted++;
            }
        }
        catch (FuzzInvariantException ex)
        {
            failure = new FuzzFailure(FuzzFailureKind.Invariant, ex.Message, input) { Signature = $"Invariant {ex.Message}" };
        }
        catch (Exception ex)
        {
            failure = new FuzzFailure(FuzzFailureKind.Exception, ex.ToString(), input) { Signature = $"{ex.GetType().Name} {ex.TargetSite?.DeclaringType?.Name}.{ex.TargetSite?.Name}" };
        }

        var elapsed = Stopwatch.GetTimestamp() - started;
        Volatile.Write(ref _currentStarted, 0);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        _inputs++;
        _maxAllocated = Math.Max(_maxAllocated, allocated);
        _slowestTicks = Math.Max(_slowestTicks, elapsed);
        if (failure is null && allocated > target.AllocationBudget(input.Length))
        {
            failure = new FuzzFailure(FuzzFailureKind.Allocation, $"{allocated:N0} bytes allocated for {input.Length} input bytes (budget {target.AllocationBudget(input.Length):N0})", input);
        }

        if (failure is null && Stopwatch.GetElapsedTime(0, elapsed) > options.SlowInput)
        {
            failure = new FuzzFailure(FuzzFailureKind.Slow, $"{Stopwatch.GetElapsedTime(0, elapsed).TotalMilliseconds:F0} ms for one input", input);
        }

        if (failure is not null)
        {
            lock (_failures)
            {
                // The shortest input per signature: the easiest one to read in a regression test.
                if (!_failures.TryGetValue(failure.Signature, out var known) || known.Input.Length > input.Length)
                {
                    _failures[failure.Signature] = failure;
                }
            }
        }

        if ((_coverage && CoverageMap.Merge() && failure is null) || keepAlways)
        {
            _corpus.Add(input);
        }
    }

    private FuzzReport Report(TimeSpan elapsed)
    {
        lock (_failures)
        {
            return new FuzzReport(
                target.Name,
                _inputs,
                _accepted,
                elapsed,
                CoverageMap.Edges,
                _corpus.Count,
                _maxAllocated,
                Stopwatch.GetElapsedTime(0, _slowestTicks),
                [.. _failures.Values]);
        }
    }
}
