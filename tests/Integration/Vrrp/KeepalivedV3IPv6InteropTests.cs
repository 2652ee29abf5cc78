using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// Our daemon next to keepalived 2.2 in VRRPv3 over IPv6 (issue 13): each side's adverts hold the other in backup
/// without a drop, and a stop or kill -9 of either master moves the IPv6 VIP to the other.
/// </summary>
public sealed class KeepalivedV3IPv6InteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [RootFact]
    public void KeepalivedIPv6MasterAndOurBackupHandOverBothWays()
    {
        using var lab = NetnsLab.Create(2);
        LabIPv6.UseFixedLinkLocal(lab);
        var kaConf = lab.WriteFile("keepalived.conf", LabIPv6.Keepalived("MASTER", 100, OneSecond));
        var ourConf = lab.WriteFile("cloudcore-lb.yaml", LabIPv6.Daemon(new Dictionary<string, int> { ["node2"] = 99 }, OneSecond));
        using var sampler = new VipSampler(lab.Nodes, LabIPv6.Vip);

        var keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, keepalived);
        var ours = lab.StartDaemon(lab.Nodes[1], ourConf);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 4, masterAddress: LabIPv6.LinkLocal(lab.Nodes[0]));
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe());

        // keepalived stops cleanly: its priority-0 advert makes ours master after the skew time.
        var (released, _, _) = FailoverTimeline.Measure(sampler, 2, () => keepalived.Signal(15), Timeout, OneSecond);
        output.WriteLine($"keepalived IPv6 SIGTERM -> ours holds the VIP after {released.TotalMilliseconds:F0} ms");
        Assert.True(released <= LabConfigsV3.Skew(99, OneSecond) + VrrpTiming.Margin, sampler.Describe() + ours.Output);
        Assert.Contains("nodad", LabIPv6.VipLine(lab.Nodes[1]) ?? "", StringComparison.Ordinal);

        // keepalived comes back at 100 and preempts, then dies hard: ours takes over in its master-down interval.
        var restart = sampler.Now;
        keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        sampler.RequireSoleHolder(1, restart, Timeout, keepalived, ours);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], masterAddress: LabIPv6.LinkLocal(lab.Nodes[0]));
        var (down, _, killedAt) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), Timeout, OneSecond);
        var master = DaemonLog.WaitFor(ours, "Backup -> Master (", killedAt, Timeout);
        output.WriteLine($"keepalived IPv6 kill -9 -> ours master in {(master - killedAt).TotalMilliseconds:F0} ms (VIP seen after {down.TotalMilliseconds:F0} ms)");
        Assert.True(master - killedAt <= LabConfigsV3.MasterDown(99, OneSecond) + VrrpTiming.Margin, ours.Output);

        ours.Signal(15);
        Assert.True(ours.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(ours.Output);
    }

    [RootFact]
    public void OurIPv6MasterAndKeepalivedBackupHandOverBothWays()
    {
        using var lab = NetnsLab.Create(2);
        LabIPv6.UseFixedLinkLocal(lab);
        var kaConf = lab.WriteFile("keepalived.conf", LabIPv6.Keepalived("BACKUP", 99, OneSecond, "lb02"));
        var ourConf = lab.WriteFile("cloudcore-lb.yaml", LabIPv6.Daemon(new Dictionary<string, int> { ["node1"] = 100 }, OneSecond));
        using var sampler = new VipSampler(lab.Nodes, LabIPv6.Vip);

        var ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, ours);
        var keepalived = lab.StartKeepalived(lab.Nodes[1], kaConf);
        Assert.True(keepalived.WaitForOutput("Entering BACKUP STATE", Timeout), keepalived.Output);
        var sent = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[0])).GetProperty("adverts_sent").GetInt64();
        LabStatus.WaitFor(lab, lab.Nodes[0], s => LabStatus.Instance(s).GetProperty("adverts_sent").GetInt64() >= sent + 5, "five more adverts sent");
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe() + keepalived.Output);

        // Ours stops cleanly: keepalived takes over on our priority-0 advert, well before its master-down interval.
        var (released, _, _) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(15), Timeout, OneSecond);
        output.WriteLine($"ours IPv6 SIGTERM -> keepalived holds the VIP after {released.TotalMilliseconds:F0} ms");
        Assert.True(released <= LabConfigsV3.Skew(99, OneSecond) + VrrpTiming.Margin, sampler.Describe() + keepalived.Output);
        DaemonLog.AssertNoDrops(ours.Output);

        // Ours comes back at 100 and preempts keepalived, then dies hard: keepalived takes over in its master-down interval.
        var restart = sampler.Now;
        ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        sampler.RequireSoleHolder(1, restart, Timeout, ours, keepalived);
        var (down, _, _) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(9), Timeout, OneSecond);
        output.WriteLine($"ours IPv6 kill -9 -> keepalived holds the VIP after {down.TotalMilliseconds:F0} ms");
        Assert.True(down <= LabConfigsV3.MasterDown(99, OneSecond) + VrrpTiming.Margin, sampler.Describe());
        Assert.DoesNotContain("ignoring received advertisement", keepalived.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bad checksum", keepalived.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("invalid", keepalived.Output, StringComparison.OrdinalIgnoreCase);
    }
}
