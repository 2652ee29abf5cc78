using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>The file `cloudcore-lb init` writes, run unchanged on three namespace masters (issue 16, item 5).</summary>
public sealed class InitSetupTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static bool Tracked(System.Text.Json.JsonElement status, string state) =>
        LabStatus.Instance(status).GetProperty("tracking").EnumerateArray()
            .Any(t => t.GetProperty("name").GetString() == "proxy_can_serve" && t.GetProperty("state").GetString() == state);

    [RootFact]
    public void WithoutNamesEachMasterFindsItsAddressKeyedBlockWithoutNode()
    {
        using var lab = NetnsLab.Create(3);
        var config = Path.Combine(lab.Directory, "cloudcore-lb.yaml");
        var init = Shell.RunChecked(NetnsLab.DaemonPath,
            ["init", "--masters", string.Join(',', lab.Nodes.Select(n => n.Address)), "--vip", $"{NetnsLab.Vip}/24", "--interface", "eth0", "--output", config], check: false);
        Assert.Equal(0, init.ExitCode);

        foreach (var node in lab.Nodes)
        {
            // No --node: the host name names no block, so the block keyed by the address on this namespace's eth0 is this node.
            var check = Shell.RunChecked("ip", ["netns", "exec", node.Netns, NetnsLab.DaemonPath, "check", "--config", config], check: false);
            Assert.True(check.ExitCode == 0, check.Output + check.Error);
            Assert.Contains($"node '{node.Address}'", check.Output, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public void TheVipStaysWhenTheLocalCloudCoreDiesAndMovesWhenThisNodesProxyCannotServe()
    {
        using var lab = NetnsLab.Create(3);
        var config = Path.Combine(lab.Directory, "cloudcore-lb.yaml");
        var init = Shell.RunChecked(NetnsLab.DaemonPath,
            ["init", "--masters", string.Join(',', lab.Nodes.Select(n => n.Address)), "--vip", $"{NetnsLab.Vip}/24", "--interface", "eth0",
            "--names", string.Join(',', lab.Nodes.Select(n => n.Name)), "--output", config], check: false);
        output.WriteLine(init.Error);
        Assert.Equal(0, init.ExitCode);
        Assert.Contains("check: valid for node 'node3' (priority 98)", init.Error, StringComparison.Ordinal);

        var cloudcores = lab.Nodes.Select(n => LabConfigs.StartCloudCore(lab, n)).ToArray();
        Assert.All(cloudcores, c => Assert.True(c.WaitForOutput("listening", Timeout), c.Describe()));
        using var sampler = new VipSampler(lab.Nodes);
        var first = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var others = lab.Nodes.Skip(1).Select(n => lab.StartDaemon(n, config)).ToArray();
        foreach (var node in lab.Nodes.Skip(1))
        {
            LabStatus.WaitForBackupOf(lab, node, lab.Nodes[0]);
        }

        LabStatus.WaitForServersUp(lab, lab.Nodes[0]);
        LabStatus.WaitFor(lab, lab.Nodes[0], s => Tracked(s, "Up"), "node1's proxy_can_serve up");

        // node1's own CloudCore dies: its proxy still serves through cc2 and cc3, so the VIP stays.
        var killedAt = sampler.Now;
        cloudcores[0].Signal(9);
        var status = LabStatus.WaitFor(lab, lab.Nodes[0], s => s.GetProperty("servers").EnumerateArray()
            .Count(v => v.GetProperty("name").GetString() == "cc1" && !v.GetProperty("up").GetBoolean()) == 4, "cc1 down on every backend");
        Assert.True(Tracked(status, "Up"), status.ToString());
        Assert.Equal(100, LabStatus.Instance(status).GetProperty("effective_priority").GetInt32());
        Assert.Equal("Master", LabStatus.Instance(status).GetProperty("state").GetString());
        Assert.Null(sampler.FirstSampleWithout(1, killedAt));

        // node1's proxy can no longer reach any CloudCore: it cannot serve, drops to 50, and node2 takes the VIP.
        var rules = lab.WriteFile("nft-node1.conf", """
            table ip nocloudcore {
              chain out { type filter hook output priority 0; tcp dport { 10000, 10002, 10003, 10004 } counter reject with tcp reset; }
            }
            """);
        Shell.Run("ip", "netns", "exec", lab.Nodes[0].Netns, "nft", "-f", rules);
        var cutAt = sampler.Now;
        status = LabStatus.WaitFor(lab, lab.Nodes[0], s => Tracked(s, "Down"), "node1's proxy_can_serve down");
        Assert.Equal(50, LabStatus.Instance(status).GetProperty("effective_priority").GetInt32());
        Assert.NotNull(sampler.WaitForSoleHolder(2, cutAt, Timeout));
        var node2 = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[1]));
        Assert.Equal("Master", node2.GetProperty("state").GetString());
        Assert.All(others, d => Assert.False(d.HasExited, d.Describe()));
        Assert.False(first.HasExited, first.Describe());
        output.WriteLine(sampler.Describe());
    }
}
