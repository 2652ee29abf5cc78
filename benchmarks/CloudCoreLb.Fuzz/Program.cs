using System.Globalization;
using CloudCoreLb.Fuzz;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Fuzz.Targets;
using SharpFuzz;

// Fuzzing entry points (benchmarks/README.md "Fuzzing"):
//   run TARGET [--inputs N] [--seed S] [--corpus DIR] [--crashes DIR]   in-process, coverage-guided when instrumented
//   replay TARGET PATH...                                              each file (or every file of a folder) once
//   afl TARGET | libfuzzer TARGET                                      under afl-fuzz / libfuzzer-dotnet (SharpFuzz)
//   list | write-seeds DIR
// Before any target is built: instrumented code writes to the edge map from its first branch on.
CoverageMap.Attach();
if (args.Length == 0)
{
    return Usage();
}

switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All)
        {
            Console.WriteLine(t.Name);
        }

        return 0;
    case "write-seeds" when args.Length == 2:
        SeedWriter.WriteAll(args[1]);
        return 0;
    case "run" when args.Length >= 2 && FuzzTargets.Find(args[1]) is { } target:
        return Run(target, args[2..]);
    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
        return Replay(target, args[2..]);
    case "afl" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    case "libfuzzer" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        Fuzzer.LibFuzzer.Run(input => target.Run(input));
        return 0;
    default:
        return Usage();
}

static int Run(FuzzTarget target, string[] options)
{
    var inputs = 1_000_000L;
    var seed = 1;
    var corpus = Corpus.DefaultDirectory(target.Name);
    string? crashes = null;
    for (var i = 0; i + 1 < options.Length; i += 2)
    {
        switch (options[i])
        {
            case "--inputs":
                inputs = long.Parse(options[i + 1], CultureInfo.InvariantCulture);
                break;
            case "--seed":
                seed = int.Parse(options[i + 1], CultureInfo.InvariantCulture);
                break;
            case "--corpus":
                corpus = options[i + 1];
                break;
            case "--crashes":
                crashes = options[i + 1];
                break;
            default:
                return Usage();
        }
    }

    var seeds = Corpus.Load(corpus);
    var runOptions = new FuzzRunOptions
    {
        Inputs = inputs,
        Seed = seed,
        Progress = progress => Console.Error.WriteLine($"  {progress.Inputs:N0} inputs, {progress.Edges:N0} edges, corpus {progress.CorpusSize:N0}"),
    };
    var report = new FuzzRunner(target, runOptions).Run(seeds);
    Console.WriteLine(report);
    foreach (var failure in report.Failures)
    {
        Console.WriteLine(failure);
        if (crashes is not null)
        {
            Directory.CreateDirectory(crashes);
            File.WriteAllBytes(Path.Combine(crashes, $"{target.Name}-{failure.Kind}-{Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(failure.Input))[..12]}"), failure.Input);
        }
    }

    return report.Failures.Count == 0 ? 0 : 1;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 0 }).Run([.. files.Select(File.ReadAllBytes)]);
    Console.WriteLine(report);
    foreach (var failure in report.Failures)
    {
        Console.WriteLine(failure);
    }

    return report.Failures.Count == 0 ? 0 : 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: CloudCoreLb.Fuzz run|replay|afl|libfuzzer TARGET ... | list | write-seeds DIR");
    Console.Error.WriteLine($"targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}
