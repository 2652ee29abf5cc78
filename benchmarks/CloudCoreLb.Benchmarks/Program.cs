using BenchmarkDotNet.Running;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/CloudCoreLb.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
