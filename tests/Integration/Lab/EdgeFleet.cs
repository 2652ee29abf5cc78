using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// Thousands of edges on the lab's client, each from its own source address (lab_edges.py): the proxy's source hash
/// is on the client address, so one address would put every session on one CloudCore. The client namespace routes
/// <see cref="SourceNetwork"/> to itself as local (any address in it can be bound without adding thousands), and the
/// proxy's node routes it back through the client. The script reports JSON lines stamped on CLOCK_MONOTONIC, which
/// is the clock <see cref="Now"/> reads too.
/// </summary>
internal sealed class EdgeFleet
{
    /// <summary>The edges' addresses: 10.20.0.1 upwards.</summary>
    public const string SourceNetwork = "10.20.0.0/16";

    private readonly LabProcess _process;
    private readonly string _control;

    private EdgeFleet(LabProcess process, string control)
    {
        _process = process;
        _control = control;
    }

    public LabProcess Process => _process;

    /// <summary>CLOCK_MONOTONIC in seconds (the Stopwatch's clock on Linux), as the script stamps its lines.</summary>
    public static double Now => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    /// <summary>
    /// Routes the edges' network between the client and <paramref name="proxy"/>, and starts <paramref name="edges"/>
    /// edges holding one session per port to the VIP, each heartbeating every <paramref name="interval"/>. The script
    /// runs under a descriptor limit of 20,000 (one per session, whatever limit the test itself inherited).
    /// </summary>
    public static EdgeFleet Start(NetnsLab lab, LabNode proxy, int edges, IReadOnlyList<int> ports, TimeSpan interval)
    {
        var client = lab.Client ?? throw new InvalidOperationException("the lab has no client namespace");
        Shell.Run("ip", "-n", client.Netns, "route", "add", "local", SourceNetwork, "dev", "lo");
        Shell.Run("ip", "-n", proxy.Netns, "route", "add", SourceNetwork, "via", client.Address);
        var control = Path.Combine(lab.Directory, "edges");
        Directory.CreateDirectory(control);
        var process = lab.Start(client, "edges", "prlimit",
            ["--nofile=20000:20000", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_edges.py"), NetnsLab.Vip,
            string.Join(',', ports), edges.ToString(CultureInfo.InvariantCulture), "10.20",
            interval.TotalSeconds.ToString(CultureInfo.InvariantCulture), control], env: null);
        return new EdgeFleet(process, control);
    }

    /// <summary>Waits for the first line of an event that happens once (ready, reconnected, summary).</summary>
    public JsonElement WaitFor(string name, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Events(name).FirstOrDefault() is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(!_process.HasExited || Events(name).Any(), $"the edges exited before '{name}':\n{Tail()}");
            Assert.True(DateTime.UtcNow < deadline, $"the edges reported no '{name}' within {timeout.TotalSeconds} s:\n{Tail()}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits until the newest status line satisfies <paramref name="condition"/> and returns it; fails with the last one.</summary>
    public JsonElement WaitForStatus(Func<JsonElement, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var last = Last("status");
            if (last.ValueKind == JsonValueKind.Object && condition(last))
            {
                return last;
            }

            Assert.False(_process.HasExited, $"the edges exited while waiting for {what}:\n{Tail()}");
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {timeout.TotalSeconds} s; last status: {last}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Reopens every closed session from its own edge's address.</summary>
    public void Reconnect() => File.WriteAllText(Path.Combine(_control, "reconnect"), "");

    /// <summary>Stops the edges and returns their summary.</summary>
    public JsonElement Stop(TimeSpan timeout)
    {
        File.WriteAllText(Path.Combine(_control, "stop"), "");
        var summary = WaitFor("summary", timeout);
        Assert.True(_process.WaitForExit(timeout), _process.Describe());
        return summary;
    }

    /// <summary>Sessions per server name, summed over ports, from a <c>by_server</c>-style object.</summary>
    public static Dictionary<string, int> PerServer(JsonElement byServer) =>
        byServer.EnumerateObject().ToDictionary(s => s.Name, s => s.Value.EnumerateObject().Sum(p => p.Value.GetInt32()), StringComparer.Ordinal);

    /// <summary>The newest line of an event (status lines come twice a second: only the last one is parsed).</summary>
    private JsonElement Last(string name)
    {
        var output = _process.Output;
        var at = output.LastIndexOf("{\"event\":\"" + name + "\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return default;
        }

        var end = output.IndexOf('\n', at);
        using var document = JsonDocument.Parse(output[at..(end < 0 ? output.Length : end)].TrimEnd('\r'));
        return document.RootElement.Clone();
    }

    private IEnumerable<JsonElement> Events(string name)
    {
        foreach (var line in _process.Output.Split('\n'))
        {
            if (line.StartsWith("{\"event\":\"" + name + "\"", StringComparison.Ordinal))
            {
                using var document = JsonDocument.Parse(line);
                yield return document.RootElement.Clone();
            }
        }
    }

    /// <summary>The last lines of the script's output, for failure messages.</summary>
    private string Tail()
    {
        var lines = _process.Output.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 15)));
    }
}
