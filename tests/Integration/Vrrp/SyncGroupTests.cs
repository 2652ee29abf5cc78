using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// Sync groups and tracked interfaces (issue 13): two of our nodes, each running two instances (one VIP on eth0,
/// one on eth1) in one sync group, tracking a third link of their own (a veth pair inside the node, <c>trk0</c>).
/// </summary>
public sealed class SyncGroupTests(ITestOutputHelper output)
{
    private const string SecondVip = NetnsLab.Subnet2 + ".242";

    // A VIP of the first instance that lives on the second interface (keepalived 'dev').
    private const string DevVip = NetnsLab.Subnet2 + ".243";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void ATrackedInterfaceGoingDownOnTheMasterMovesTheWholeGroup_AndUpBringsItBack()
    {
        using var lab = CreateLab();
        using var edge = new VipSampler(lab.Nodes);
        using var api = new VipSampler(lab.Nodes, SecondVip, "eth1");
        var daemons = StartElected(lab, edge, api);

        // trk0 loses its carrier when its peer goes down: Edge tracks it (weight 0), Api follows through the group.
        var down = edge.Now;
        var downAt = DateTime.Now;
        Shell.Run("ip", "-n", lab.Nodes[0].Netns, "link", "set", "trk1", "down");
        edge.RequireSoleHolder(2, down, Timeout, daemons);
        api.RequireSoleHolder(2, down, Timeout, daemons);
        DaemonLog.WaitFor(daemons[0], "VRRP instance Edge: Master -> Fault (LinkDown", downAt, Timeout);
        DaemonLog.WaitFor(daemons[0], "VRRP instance Api: Master -> Fault (SyncGroup", downAt, Timeout);
        var group = LabStatus.WaitFor(lab, lab.Nodes[0], s => GroupState(s) == "Fault", "the sync group in Fault");
        Assert.False(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
        Assert.True(NetnsLab.HasAddress(lab.Nodes[1], DevVip, "eth1"));
        Assert.Contains(LabStatus.Instance(group, "Edge").GetProperty("tracked_interfaces").EnumerateArray(), t => !t.GetProperty("up").GetBoolean());
        WaitForNotify(lab, "GROUP Cluster FAULT");

        // Both priority-0 adverts let node2's members go master together after its skew time, not the 3.6 s timeout.
        var moved = DaemonLog.WaitFor(daemons[1], "VRRP instance Api: Backup -> Master", downAt, Timeout);
        output.WriteLine($"group moved {(moved - downAt).TotalMilliseconds:F0} ms after the tracked link went down");
        Assert.True(moved - downAt < VrrpTiming.MasterDown(99), $"moved after {(moved - downAt).TotalMilliseconds:F0} ms");

        var up = edge.Now;
        Shell.Run("ip", "-n", lab.Nodes[0].Netns, "link", "set", "trk1", "up");
        edge.RequireSoleHolder(1, up, Timeout, daemons);
        api.RequireSoleHolder(1, up, Timeout, daemons);
        LabStatus.WaitFor(lab, lab.Nodes[0], s => GroupState(s) == "Master", "the sync group back to Master");
        Assert.True(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
    }

    [RootFact]
    public void LosingOneInstancesOwnLink_MovesBothInstances_AndReleaseVipsFindsTheVipOnItsDev()
    {
        using var lab = CreateLab();
        using var edge = new VipSampler(lab.Nodes);
        using var api = new VipSampler(lab.Nodes, SecondVip, "eth1");
        var daemons = StartElected(lab, edge, api);

        // Carrier loss on node1's eth1 only: Api goes to Fault, and Edge, whose eth0 is fine, goes with it.
        var down = edge.Now;
        var downAt = DateTime.Now;
        Shell.Run("ip", "-n", lab.SwitchNetns, "link", "set", "w1", "down");
        api.RequireSoleHolder(2, down, Timeout, daemons);
        edge.RequireSoleHolder(2, down, Timeout, daemons);
        DaemonLog.WaitFor(daemons[0], "VRRP instance Api: Master -> Fault (LinkDown", downAt, Timeout);
        DaemonLog.WaitFor(daemons[0], "VRRP instance Edge: Master -> Fault (SyncGroup", downAt, Timeout);
        Assert.True(edge.LongestMultipleHolders(down) == TimeSpan.Zero, edge.Describe());

        // Back up: node1 preempts with both. Then every process of node1 is killed, its VIP guardian too, so the VIPs
        // stay; release-vips (systemd's ExecStopPost) removes them from both interfaces, the dev VIP included.
        var up = edge.Now;
        Shell.Run("ip", "-n", lab.SwitchNetns, "link", "set", "w1", "up");
        edge.RequireSoleHolder(1, up, Timeout, daemons);
        api.RequireSoleHolder(1, up, Timeout, daemons);
        LabStatus.WaitFor(lab, lab.Nodes[0], s => GroupState(s) == "Master", "the sync group back to Master");
        Assert.True(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
        lab.KillAll(lab.Nodes[0]);
        Assert.True(daemons[0].WaitForExit(Timeout));
        Assert.True(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
        var config = Path.Combine(lab.Directory, "cloudcore-lb.yaml");
        var release = lab.Start(lab.Nodes[0], "release-vips", NetnsLab.DaemonPath, "release-vips", "--config", config, "--node", "node1");
        Assert.True(release.WaitForExit(Timeout), release.Describe());
        Assert.Equal(0, release.ExitCode);
        Assert.Contains($"released {DevVip}/24 dev eth1", release.Output, StringComparison.Ordinal);
        Assert.False(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
        Assert.False(NetnsLab.HasAddress(lab.Nodes[0], NetnsLab.Vip));
        edge.RequireSoleHolder(2, up, Timeout, daemons[1]);
        api.RequireSoleHolder(2, up, Timeout, daemons[1]);
    }

    private static NetnsLab CreateLab()
    {
        var lab = NetnsLab.Create(2, segments: 2);
        foreach (var node in lab.Nodes)
        {
            Shell.Run("ip", "-n", node.Netns, "link", "add", "trk0", "type", "veth", "peer", "name", "trk1");
            Shell.Run("ip", "-n", node.Netns, "link", "set", "trk0", "up");
            Shell.Run("ip", "-n", node.Netns, "link", "set", "trk1", "up");
        }

        lab.WriteFile("cloudcore-lb.yaml", $$"""
            vrrp:
              instances:
                - name: Edge
                  interface: eth0
                  virtual_router_id: 167
                  authentication: { type: pass, password: "1111" }
                  multicast_group: 224.0.0.19
                  virtual_addresses: [ {{NetnsLab.Vip}}/24, "{{DevVip}}/24 dev eth1" ]
                  track_interfaces: [ trk0 ]
                  nodes: { node1: { priority: 100 }, node2: { priority: 99 } }
                - name: Api
                  interface: eth1
                  virtual_router_id: 51
                  virtual_addresses: [ {{SecondVip}}/24 ]
                  nodes: { node1: { priority: 100 }, node2: { priority: 99 } }
              sync_groups:
                - { name: Cluster, instances: [ Edge, Api ], notify: { any: "echo >> {{lab.Directory}}/group-notify.log" } }
            """);
        return lab;
    }

    /// <summary>node1 first, so it holds both VIPs alone; then node2, until it follows node1 in both instances.</summary>
    private static LabProcess[] StartElected(NetnsLab lab, VipSampler edge, VipSampler api)
    {
        var config = Path.Combine(lab.Directory, "cloudcore-lb.yaml");
        var first = lab.StartDaemon(lab.Nodes[0], config);
        edge.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        api.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], config);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], instance: "Edge");
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], instance: "Api", masterAddress: $"{NetnsLab.Subnet2}.11");
        Assert.True(NetnsLab.HasAddress(lab.Nodes[0], DevVip, "eth1"));
        Assert.Equal("Master", GroupState(LabStatus.Get(lab, lab.Nodes[0])));
        return [first, second];
    }

    /// <summary>The group's generic notify hook (every node appends to one file) ran with <paramref name="line"/>.</summary>
    private static void WaitForNotify(NetnsLab lab, string line)
    {
        var path = Path.Combine(lab.Directory, "group-notify.log");
        var deadline = DateTime.UtcNow + Timeout;
        while (!(File.Exists(path) && File.ReadAllLines(path).Contains(line)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{line}' in {path}: {(File.Exists(path) ? File.ReadAllText(path) : "(none)")}");
            Thread.Sleep(100);
        }
    }

    private static string? GroupState(System.Text.Json.JsonElement status) =>
        status.GetProperty("sync_groups").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "Cluster").GetProperty("state").GetString();
}
