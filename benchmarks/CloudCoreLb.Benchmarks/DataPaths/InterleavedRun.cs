using System.Diagnostics;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// Round-robin companion to <see cref="CopierBenchmarks"/>: BenchmarkDotNet runs one variant after another, so on a
/// shared VM a load swing lands on whichever variant is running. Here every round runs each variant once (in-process,
/// after one warm-up round) and the median over rounds is printed, so all variants see the same load profile.
/// </summary>
internal static class InterleavedRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var kinds = Enum.GetValues<DataPathKind>();
        var benches = kinds.Select(k => new CopierBenchmarks { Path = k }).ToArray();
        foreach (var bench in benches)
        {
            bench.Setup();
        }

        var bulk = new double[kinds.Length][];
        var pingPong = new double[kinds.Length][];
        for (var k = 0; k < kinds.Length; k++)
        {
            bulk[k] = new double[rounds];
            pingPong[k] = new double[rounds];
        }

        for (var round = -1; round < rounds; round++)
        {
            for (var k = 0; k < kinds.Length; k++)
            {
                var start = Stopwatch.GetTimestamp();
                await benches[k].Bulk().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                var bulkMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                start = Stopwatch.GetTimestamp();
                await benches[k].PingPong().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                if (round >= 0)
                {
                    bulk[k][round] = bulkMs;
                    pingPong[k][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }

        Console.WriteLine($"| data path | bulk 16 MiB median (p25-p75) | Gbit/s | ping-pong 1000 x 64 B median (p25-p75) | us / round trip |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var k = 0; k < kinds.Length; k++)
        {
            var b = Quartiles(bulk[k]);
            var p = Quartiles(pingPong[k]);
            var gbits = CopierBenchmarks.BulkMegabytes * 8.0 * 1024 * 1024 / (b.Median / 1000) / 1e9;
            Console.WriteLine($"| {kinds[k]} | {b.Median:F1} ms ({b.P25:F1}-{b.P75:F1}) | {gbits:F1} | {p.Median:F1} ms ({p.P25:F1}-{p.P75:F1}) | {p.Median * 1000 / CopierBenchmarks.RoundTrips:F0} |");
            benches[k].Cleanup();
        }

        return 0;
    }

    private static (double P25, double Median, double P75) Quartiles(double[] values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[sorted.Length / 4], sorted[sorted.Length / 2], sorted[sorted.Length * 3 / 4]);
    }
}
