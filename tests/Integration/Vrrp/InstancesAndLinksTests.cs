using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Several instances in one daemon, and link events (issue 2).</summary>
public sealed class InstancesAndLinksTests(ITestOutputHelper output)
{
    private const string SecondVip = NetnsLab.Subnet2 + ".242";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void TwoInstancesOnTwoInterfacesElectIndependentlyInOneDaemon()
    {
        using var lab = NetnsLab.Create(2, segments: 2);
        // Crossed priorities: node1 masters the eth0 VIP, node2 the eth1 VIP; each daemon runs both instances.
        var config = lab.WriteFile("cloudcore-lb.yaml", $$"""
            vrrp:
              instances:
                - name: Edge
                  interface: eth0
                  virtual_router_id: 167
                  authentication: { type: pass, password: "1111" }
                  multicast_group: 224.0.0.19
                  virtual_addresses: [ {{NetnsLab.Vip}}/24 ]
                  nodes: { node1: { priority: 100 }, node2: { priority: 99 } }
                - name: Api
                  interface: eth1
                  virtual_router_id: 51
                  virtual_addresses: [ {{SecondVip}}/24 ]
                  nodes: { node1: { priority: 90 }, node2: { priority: 110 } }
            """);
        using var first = new VipSampler(lab.Nodes);
        using var second = new VipSampler(lab.Nodes, SecondVip, "eth1");
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        first.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons);
        second.RequireSoleHolder(2, TimeSpan.Zero, Timeout, daemons);

        // Both daemons start together, so the election may briefly have two masters (see ThreeNodeFailoverTests).
        Assert.True(first.LongestMultipleHolders(TimeSpan.Zero) <= VrrpTiming.AdvertInterval, first.Describe());
        // Each daemon is backup of the other's instance, following its master.
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], instance: "Edge");
        LabStatus.WaitForBackupOf(lab, lab.Nodes[0], lab.Nodes[1], instance: "Api", masterAddress: $"{NetnsLab.Subnet2}.12");

        // Stopping node2 moves only its instance, after node1's skew time at 90; node1's own stays where it is, untouched.
        var (failover, _, stoppedAt) = FailoverTimeline.Measure(second, 1, () => daemons[1].Signal(15), Timeout, TimeSpan.FromSeconds(1));
        var stopped = first.FromLocal(stoppedAt);
        var master = DaemonLog.WaitFor(daemons[0], "VRRP instance Api: Backup -> Master (MasterReleased", stoppedAt, Timeout);
        output.WriteLine($"second instance moved in {failover.TotalMilliseconds:F0} ms (node1 master of Api {(master - stoppedAt).TotalMilliseconds:F0} ms after the stop)");
        Assert.Equal([1], second.Current);
        Assert.Equal([1], first.Current);
        Assert.True(first.LongestMultipleHolders(stopped) == TimeSpan.Zero, first.Describe());
    }

    [RootFact]
    public void LinkDownOnTheMasterMovesTheVipAndLinkUpBringsItBack()
    {
        using var lab = NetnsLab.Create(2);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }));
        using var sampler = new VipSampler(lab.Nodes);
        var first = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], config);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0]);

        // Carrier loss on the master's side of the cable: it goes to FAULT and drops the VIP; node2 times out.
        var down = sampler.Now;
        Shell.Run("ip", "-n", lab.SwitchNetns, "link", "set", "v1", "down");
        sampler.RequireSoleHolder(2, down, Timeout, first, second);
        Assert.True(first.WaitForOutput("Master -> Fault (LinkDown", Timeout), first.Output);
        Assert.True(second.WaitForOutput("Backup -> Master (MasterDownTimerExpired", Timeout), second.Output);
        Assert.False(NetnsLab.HasAddress(lab.Nodes[0], NetnsLab.Vip));

        // Carrier back: node1 returns to Backup, hears 99 and preempts.
        var up = sampler.Now;
        Shell.Run("ip", "-n", lab.SwitchNetns, "link", "set", "v1", "up");
        sampler.RequireSoleHolder(1, up, Timeout, first, second);
        Assert.True(first.WaitForOutput("Fault -> Backup (LinkUp", Timeout), first.Output);
        Assert.True(sampler.LongestMultipleHolders(up) <= VrrpTiming.AdvertInterval, sampler.Describe());
    }
}
