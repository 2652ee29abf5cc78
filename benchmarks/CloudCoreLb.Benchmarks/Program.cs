using BenchmarkDotNet.Running;
using CloudCoreLb.Benchmarks.DataPaths;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/CloudCoreLb.Benchmarks -- --filter '*' --job short</c>;
/// <c>-- idle [sessions] [DataPathKind...]</c> prints the idle-memory table (see <see cref="IdleMemoryProbe"/>);
/// <c>-- interleaved [rounds]</c> runs the data-path variants round-robin and prints medians (see
/// <see cref="InterleavedRun"/>); <c>-- smoke</c> runs every data-path benchmark once in-process (a quick correctness check before a long run).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "idle")
        {
            return await IdleMemoryProbe.RunAsync(args).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "interleaved")
        {
            return await InterleavedRun.RunAsync(args).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "smoke")
        {
            foreach (var kind in Enum.GetValues<DataPathKind>())
            {
                var bench = new CopierBenchmarks { Path = kind };
                bench.Setup();
                await bench.Bulk().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                await bench.PingPong().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                bench.Cleanup();
                Console.WriteLine($"{kind}: ok");
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
