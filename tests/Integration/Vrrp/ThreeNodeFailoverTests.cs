using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Three cloudcore-lb nodes at priority 100/99/98 on one segment (issue 2, test a).</summary>
public sealed class ThreeNodeFailoverTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99, ["node3"] = 98 };
    private static readonly TimeSpan AdvertInterval = TimeSpan.FromSeconds(1);

    private static (NetnsLab Lab, string Config, LabProcess[] Daemons, VipSampler Sampler) StartLab()
    {
        var lab = NetnsLab.Create(3);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(Priorities));
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        var sampler = new VipSampler(lab.Nodes);
        return (lab, config, daemons, sampler);
    }

    [RootFact]
    public void HighestPriorityNodeBecomesTheOnlyVipHolder()
    {
        var (lab, _, daemons, sampler) = StartLab();
        using (lab)
        using (sampler)
        {
            var at = sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15));
            Assert.True(at is not null, $"node1 never became the sole holder:\n{sampler.Describe()}\n{daemons[0].Output}");
            Thread.Sleep(2500);
            Assert.Equal([1], sampler.Current);
            // Started together, the three master-down timers expire 4 ms apart (skew 3.609/3.613/3.617 s), so more
            // than one node may take the VIP for a moment before the highest priority's advert arrives: that must
            // settle within one advert interval, as after any transition.
            Assert.True(sampler.LongestMultipleHolders(TimeSpan.Zero) <= AdvertInterval, sampler.Describe());
        }
    }

    [RootFact]
    public void KillNineOfTheMasterMovesTheVipToTheNextNodeWithin3700ms()
    {
        var (lab, _, daemons, sampler) = StartLab();
        using (lab)
        using (sampler)
        {
            Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)));
            var killed = sampler.Now;
            var (failover, overlap) = FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(9), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
            var released = sampler.FirstSampleWithout(1, killed) - killed;
            output.WriteLine($"kill -9: VIP gone from node1 after {released?.TotalMilliseconds:F0} ms, on node2 after {failover.TotalMilliseconds:F0} ms; longest double holding {overlap.TotalMilliseconds:F0} ms");
            output.WriteLine(sampler.Describe());
            Assert.True(failover <= TimeSpan.FromMilliseconds(3700), $"failover took {failover.TotalMilliseconds} ms");
            // ... and well under the master-down interval: release-vips sent the priority-0 advert (skew time 0.61 s).
            Assert.True(failover <= TimeSpan.FromMilliseconds(2500), $"no priority-0 advert after the kill: failover took {failover.TotalMilliseconds} ms");
            // The guardian deletes the held VIP itself before starting release-vips (a .NET start, 0.3-0.6 s for this
            // build), so a dead node without listeners stops refusing connects to the VIP within a sample or two.
            Assert.True(released <= TimeSpan.FromMilliseconds(250), $"the dead master kept the VIP for {released?.TotalMilliseconds} ms:\n{sampler.Describe()}");
            // The dead daemon's guardian released its VIP, so the segment never has two holders (keepalived leaves it).
            Assert.True(overlap <= AdvertInterval, $"two nodes held the VIP for {overlap.TotalMilliseconds} ms");
            Assert.Equal([2], sampler.Current);
        }
    }

    [RootFact]
    public void SigtermOfTheMasterMovesTheVipWithin700ms()
    {
        var (lab, _, daemons, sampler) = StartLab();
        using (lab)
        using (sampler)
        {
            Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)));
            var (failover, overlap) = FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
            output.WriteLine($"SIGTERM: VIP on node2 after {failover.TotalMilliseconds:F0} ms; longest double holding {overlap.TotalMilliseconds:F0} ms");
            Assert.True(failover <= TimeSpan.FromMilliseconds(700), $"failover took {failover.TotalMilliseconds} ms:\n{sampler.Describe()}");
            Assert.True(overlap <= AdvertInterval, $"two nodes held the VIP for {overlap.TotalMilliseconds} ms");
            Assert.True(daemons[0].WaitForExit(TimeSpan.FromSeconds(5)), "the daemon did not exit after SIGTERM");
            Assert.Equal([2], sampler.Current);
        }
    }

    [RootFact]
    public void TheOldMasterPreemptsWhenItComesBack()
    {
        var (lab, config, daemons, sampler) = StartLab();
        using (lab)
        using (sampler)
        {
            Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)));
            FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(9), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
            var restarted = sampler.Now;
            lab.StartDaemon(lab.Nodes[0], config);
            var back = sampler.WaitForSoleHolder(1, restarted, TimeSpan.FromSeconds(15));
            Assert.True(back is not null, $"node1 did not preempt:\n{sampler.Describe()}");
            Thread.Sleep(1500);
            output.WriteLine($"preempted {((back!.Value - restarted).TotalMilliseconds):F0} ms after restart");
            Assert.True(sampler.LongestMultipleHolders(restarted) <= AdvertInterval, sampler.Describe());
            Assert.Equal([1], sampler.Current);
        }
    }
}
