using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>Scrapes a lab daemon's Prometheus endpoint (127.0.0.1:9842 inside its namespace) and parses the samples.</summary>
internal static class LabMetrics
{
    /// <summary>The exposition text, fetched from inside the node's namespace.</summary>
    public static string Scrape(LabNode node) => Shell.Run("ip", "netns", "exec", node.Netns, "python3", "-c", ScrapeScript);

    /// <summary>The exposition text, or empty while the daemon is not serving (restarting, not yet started).</summary>
    public static string TryScrape(LabNode node) => Shell.RunChecked("ip", ["netns", "exec", node.Netns, "python3", "-c", ScrapeScript], check: false).Output;

    /// <summary>The sum of every sample whose name with labels starts with <paramref name="series"/>; 0 while not serving.</summary>
    public static double Sum(LabNode node, string series) =>
        Parse(TryScrape(node)).Where(s => s.Key.StartsWith(series, StringComparison.Ordinal)).Sum(s => s.Value);

    private const string ScrapeScript =
        "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9842/metrics', timeout=5).read().decode())";

    /// <summary>Every sample by its full name with labels, e.g. <c>cloudcore_lb_vrrp_state{instance="CloudCore",state="master"}</c>.</summary>
    public static Dictionary<string, double> Parse(string exposition)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            result[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>Scrapes until <paramref name="sample"/> reaches <paramref name="value"/> (a counter catching up with a datagram in flight).</summary>
    public static Dictionary<string, double> WaitFor(LabNode node, string sample, double value, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var metrics = Parse(Scrape(node));
            if (metrics.TryGetValue(sample, out var v) && v >= value)
            {
                return metrics;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{node.Name}: {sample} is {(metrics.TryGetValue(sample, out var last) ? last : double.NaN)}, expected {value} within {timeout.TotalSeconds} s");
            }

            Thread.Sleep(200);
        }
    }
}
