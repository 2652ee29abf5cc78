using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Unicast mode between two of our nodes on a segment that drops multicast (issue 2, test d).</summary>
public sealed class UnicastModeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void TwoNodesElectAndFailOverWithMulticastDropped()
    {
        using var lab = NetnsLab.Create(2);
        foreach (var node in lab.Nodes)
        {
            // Drop every multicast datagram in and out, as clouds that block multicast do.
            var rules = lab.WriteFile($"nft-{node.Name}.conf", """
                table ip nomcast {
                  chain in { type filter hook input priority 0; ip daddr 224.0.0.0/4 counter drop; }
                  chain out { type filter hook output priority 0; ip daddr 224.0.0.0/4 counter drop; }
                }
                """);
            Shell.Run("ip", "netns", "exec", node.Netns, "nft", "-f", rules);
        }

        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(
            new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }, unicastPeers: "10.10.102.11, 10.10.102.12"));
        using var sampler = new VipSampler(lab.Nodes);
        // node1 first: started together, the two master-down timers expire 4 ms apart, and on a loaded machine node2
        // may win that start race for a moment before node1's first advert reaches it (correct VRRP, not what this
        // test is about: it failed that way in CI).
        var first = lab.StartDaemon(lab.Nodes[0], config);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var daemons = new[] { first, lab.StartDaemon(lab.Nodes[1], config) };
        // node2 accepted four of node1's unicast adverts, which takes longer than its master-down interval (3.6 s): had
        // unicast not worked, node2 would have timed out and both would hold the VIP by then.
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 4);
        Assert.True(sampler.FirstSampleWithout(1, at) is null && sampler.LongestMultipleHolders(at) == TimeSpan.Zero, sampler.Describe());

        // A clean stop: the priority-0 advert reaches node2 by unicast, and it takes over after its skew time.
        var (failover, overlap, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(15), Timeout, TimeSpan.FromSeconds(1));
        var master = VrrpTiming.AssertTakeoverAfterRelease(daemons[1], 99, stoppedAt, Timeout);
        output.WriteLine($"unicast SIGTERM: node2 master {(master - stoppedAt).TotalMilliseconds:F0} ms after the stop, VIP seen on node2 after {failover.TotalMilliseconds:F0} ms");
        Assert.True(overlap <= VrrpTiming.AdvertInterval, sampler.Describe());

        var counters = Shell.Run("ip", "netns", "exec", lab.Nodes[1].Netns, "nft", "list", "chain", "ip", "nomcast", "out");
        output.WriteLine(counters);
    }
}
