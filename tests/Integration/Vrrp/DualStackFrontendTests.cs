using System.Text;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// A dual-stack node (issue 13 item 3): an IPv4 and an IPv6 VRRPv3 instance on one interface, and the proxy serving
/// CloudCore on both VIPs; an edge client reaches CloudCore through either, before and after the master is killed.
/// </summary>
public sealed class DualStackFrontendTests(ITestOutputHelper output)
{
    private const string ClientAddress6 = "fd00:102::100";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [RootFact]
    public void AnEdgeClientReachesCloudCoreThroughTheIPv4AndTheIPv6Vip_BeforeAndAfterAFailover()
    {
        using var lab = NetnsLab.Create(2, withClient: true);
        LabIPv6.UseFixedLinkLocal(lab);
        Shell.Run("ip", "-n", lab.Client!.Netns, "-6", "addr", "add", $"{ClientAddress6}/64", "dev", "eth0", "nodad");
        LabConfigs.StartCloudCores(lab);
        var conf = lab.WriteFile("cloudcore-lb.yaml", Config(lab));
        using var sampler6 = new VipSampler(lab.Nodes, LabIPv6.Vip);

        var first = lab.StartDaemon(lab.Nodes[0], conf);
        sampler6.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], conf);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], instance: "CloudCore6", masterAddress: LabIPv6.LinkLocal(lab.Nodes[0]));
        LabStatus.WaitForServersUp(lab, lab.Nodes[0]);
        AssertBothVipsServe(lab, "node1 master");

        // kill -9 of every process on node1: node2 takes both VIPs and announces them (GARP, NA), so the client's
        // neighbour caches point at node2 even though the dead node's kernel may still hold its copies.
        var killedAt = sampler6.FromLocal(lab.KillAll(lab.Nodes[0]));
        Assert.True(sampler6.WaitForHolder(2, killedAt, Timeout) is not null, sampler6.Describe());
        LabStatus.WaitFor(lab, lab.Nodes[1], s => s.GetProperty("instances").EnumerateArray().All(i => i.GetProperty("state").GetString() == "Master"), "both instances master");
        // node1's CloudCore died with it: wait until the proxy has marked it down, so no attempt is sent its way.
        LabStatus.WaitFor(lab, lab.Nodes[1], s => s.GetProperty("servers").EnumerateArray().Count(v => v.GetProperty("up").GetBoolean()) == 1, "only node2's CloudCore up");
        AssertBothVipsServe(lab, "after kill -9 of node1");
        second.Signal(15);
        Assert.True(second.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(second.Output);
    }

    private void AssertBothVipsServe(NetnsLab lab, string when)
    {
        foreach (var vip in new[] { NetnsLab.Vip, LabIPv6.Vip })
        {
            var client = LabConfigs.StartClient(lab, 10010, TimeSpan.FromSeconds(2), intervalMs: 100, host: vip);
            var (ok, fail, _, line) = LabConfigs.ClientSummary(client);
            output.WriteLine($"{when}, {vip}: {line}");
            Assert.True(ok > 0, line);
            Assert.Equal(0, fail);
        }
    }

    /// <summary>The v3 IPv4 instance and its IPv6 twin, and one backend behind a frontend on each VIP.</summary>
    private static string Config(NetnsLab lab)
    {
        var priorities = new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 };
        var v6 = LabIPv6.Daemon(priorities, OneSecond);
        var sb = new StringBuilder(LabConfigsV3.Daemon(priorities, OneSecond));
        sb.Append(v6[v6.IndexOf("    - name: CloudCore", StringComparison.Ordinal)..].Replace("name: CloudCore", "name: CloudCore6", StringComparison.Ordinal));
        sb.AppendLine("proxy:");
        sb.AppendLine("  frontends:");
        sb.AppendLine($"    - {{ name: front4, bind: \"{NetnsLab.Vip}:10010\", backend: cloudcore }}");
        sb.AppendLine($"    - {{ name: front6, bind: \"[{LabIPv6.Vip}]:10010\", backend: cloudcore }}");
        sb.AppendLine("  backends:");
        sb.AppendLine("    - name: cloudcore");
        sb.AppendLine("      check: { interval: 500ms, rise: 1, fall: 3 }");
        sb.AppendLine("      servers:");
        foreach (var node in lab.Nodes)
        {
            sb.AppendLine($"        - {{ name: cc{node.Index}, address: \"{node.Address}:10000\" }}");
        }

        return sb.ToString();
    }
}
