using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Unicast mode between two of our nodes on a segment that drops multicast (issue 2, test d).</summary>
public sealed class UnicastModeTests(ITestOutputHelper output)
{
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
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();

        Assert.True(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)) is not null, sampler.Describe() + daemons[0].Output);
        Thread.Sleep(4500);
        // Had unicast not worked, node2 would have timed out and both would hold the VIP by now.
        Assert.Equal([1], sampler.Current);

        var (failover, overlap) = FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        output.WriteLine($"unicast SIGTERM failover {failover.TotalMilliseconds:F0} ms");
        Assert.True(failover <= TimeSpan.FromMilliseconds(700), sampler.Describe());
        Assert.True(overlap <= TimeSpan.FromSeconds(1), sampler.Describe());

        var counters = Shell.Run("ip", "netns", "exec", lab.Nodes[1].Netns, "nft", "list", "chain", "ip", "nomcast", "out");
        output.WriteLine(counters);
    }
}
