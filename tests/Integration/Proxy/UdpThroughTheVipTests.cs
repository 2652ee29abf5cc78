using System.Globalization;
using System.Text;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Proxy;

/// <summary>
/// CloudCore's QUIC hub (UDP 10001) behind the VIP on 10011, as issue 14 has it: two masters, each with a CloudCore
/// stand-in that answers datagrams with its name, an edge in its own namespace. The edge's QUIC flow reaches the
/// CloudCore its 10004 tunnel reaches (one hash over the client address, servers grouped by host), and moves to the
/// other one only when its own dies, within a datagram or two (ICMP port unreachable, or the host's TCP check).
/// </summary>
public sealed class UdpThroughTheVipTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99 };
    private const string Frontend = "cloudcore_lb_udp_datagrams_total{frontend=\"quic_front\",direction=\"";

    [RootFact]
    public void AnEdgesQuicFlowReachesTheCloudCoreOfItsTunnel_AndMovesOnlyWhenThatCloudCoreDies()
    {
        using var lab = NetnsLab.Create(2, withClient: true);
        var config = lab.WriteFile("cloudcore-lb.yaml", Config(lab.Nodes));
        var cloudcores = lab.Nodes.Select(n => LabConfigs.StartCloudCore(lab, n, quic: true)).ToArray();
        Assert.All(cloudcores, c => Assert.True(c.WaitForOutput("listening", Timeout), c.Describe()));
        using var sampler = new VipSampler(lab.Nodes);
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons);
        LabStatus.WaitForServersUsable(lab, lab.Nodes[0]);

        var tunnel = Edge(lab, "tcp", NetnsLab.Vip, "10014").Single(l => l.StartsWith("tcp ", StringComparison.Ordinal))[4..];
        var (served, lost, replies) = Udp(lab, datagrams: 20);
        output.WriteLine($"tunnel on {tunnel}; QUIC flow served by {string.Join(",", served)}, {lost} lost");
        Assert.Equal([tunnel], served);
        Assert.Equal(0, lost);

        // One flow, every datagram counted both ways on the holder.
        var metrics = LabMetrics.Parse(LabMetrics.Scrape(lab.Nodes[0]));
        Assert.Equal(1, metrics["cloudcore_lb_frontend_connections_total{frontend=\"quic_front\"}"]);
        Assert.True(metrics[Frontend + "in\"}"] >= 20 && metrics[Frontend + "out\"}"] >= 20, string.Join("\n", metrics.Where(m => m.Key.Contains("udp", StringComparison.Ordinal))));

        // status lists the flow under the server it reaches.
        Assert.Equal($"quic_back/cc{lab.Nodes.Single(n => n.Name == tunnel).Index}", FlowServer(lab));

        // The flow's CloudCore dies; the same flow (same source port, well inside the idle timeout) carries on with the
        // other one, losing at most the datagram that met the dead port and one the proxy sent before it knew.
        var dead = Array.FindIndex(lab.Nodes.ToArray(), n => n.Name == tunnel);
        cloudcores[dead].Signal(9);
        Assert.True(cloudcores[dead].WaitForExit(Timeout), cloudcores[dead].Describe());
        (served, lost, replies) = Udp(lab, datagrams: 20);
        output.WriteLine($"after {tunnel}'s CloudCore died: served by {string.Join(",", served)}, {lost} lost");
        var survivor = lab.Nodes.Single(n => n.Name != tunnel).Name;
        Assert.Equal([survivor], served);
        Assert.True(lost <= 2, $"{lost} datagrams lost\n{string.Join("\n", replies)}");
        Assert.True(LabMetrics.Sum(lab.Nodes[0], "cloudcore_lb_udp_redispatches_total{frontend=\"quic_front\"}") >= 1);
        Assert.Equal($"quic_back/cc{lab.Nodes.Single(n => n.Name == survivor).Index}", FlowServer(lab));
        Assert.All(daemons, d => Assert.False(d.HasExited, d.Describe()));
    }

    /// <summary>The server of the edge's one flow (source port 40001) in the holder's <c>status --json</c>.</summary>
    private static string? FlowServer(NetnsLab lab)
    {
        var frontend = LabStatus.Get(lab, lab.Nodes[0]).GetProperty("udp_flows").EnumerateArray().Single(f => f.GetProperty("frontend").GetString() == "quic_front");
        var flow = Assert.Single(frontend.GetProperty("flows").EnumerateArray());
        Assert.EndsWith(":40001", flow.GetProperty("client").GetString(), StringComparison.Ordinal);
        return flow.GetProperty("server").GetString();
    }

    private static (string[] Served, int Lost, string[] Lines) Udp(NetnsLab lab, int datagrams)
    {
        var lines = Edge(lab, "udp", NetnsLab.Vip, "10011", "40001", datagrams.ToString(CultureInfo.InvariantCulture), "100");
        var summary = lines.Single(l => l.StartsWith("served=", StringComparison.Ordinal));
        var fields = summary.Split(' ');
        return (fields[0]["served=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries), int.Parse(fields[1]["lost=".Length..], CultureInfo.InvariantCulture), lines);
    }

    private static string[] Edge(NetnsLab lab, params string[] args)
    {
        var edge = lab.Start(lab.Client!, $"edge-{args[0]}", "python3", [Path.Combine(AppContext.BaseDirectory, "Lab", "lab_udp.py"), .. args], env: null);
        Assert.True(edge.WaitForExit(Timeout), edge.Describe());
        return edge.Output.Split('\n');
    }

    /// <summary>The seed's proxy with fast checks (a dead host is seen in about a second) and the QUIC hub added.</summary>
    private static string Config(IReadOnlyList<LabNode> nodes)
    {
        var servers = new StringBuilder();
        foreach (var n in nodes)
        {
            servers.Append(CultureInfo.InvariantCulture, $"        - {{ name: cc{n.Index}, address: \"{n.Address}:10001\" }}\n");
        }

        var proxy = LabConfigs.SeedProxy(nodes, check: "{ interval: 500ms, rise: 1, fall: 2 }")
            .Replace("  frontends:\n", $"  frontends:\n    - {{ name: quic_front, bind: \"{NetnsLab.Vip}:10011\", backend: quic_back, protocol: udp }}\n", StringComparison.Ordinal)
            .Replace("  backends:\n", $"  backends:\n    - name: quic_back\n      protocol: udp\n      servers:\n{servers}", StringComparison.Ordinal);
        return LabConfigs.Daemon(Priorities) + proxy;
    }
}
