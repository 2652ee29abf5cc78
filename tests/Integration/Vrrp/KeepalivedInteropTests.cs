using System.Text.RegularExpressions;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// Our daemon next to Debian's keepalived running the seed's keepalived.conf (issue 2, test b): migration one master
/// at a time needs every failover and preemption direction to work between the two.
/// </summary>
public sealed partial class KeepalivedInteropTests(ITestOutputHelper output)
{
    [RootFact]
    public void KeepalivedMasterAndOurBackupHandOverBothWays()
    {
        using var lab = NetnsLab.Create(2);
        var script = LabConfigs.HealthyScript(lab);
        var kaConf = lab.WriteFile("keepalived.conf", LabConfigs.SeedKeepalived("MASTER", 100, script));
        var ourConf = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node2"] = 99 }));
        using var sampler = new VipSampler(lab.Nodes);

        var keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)));
        var ours = lab.StartDaemon(lab.Nodes[1], ourConf);
        Thread.Sleep(5000);
        Assert.Equal([1], sampler.Current); // ours stays backup behind a higher-priority keepalived

        // keepalived stops cleanly: priority 0, ours takes over after its skew time.
        var (failover, _) = FailoverTimeline.Measure(sampler, 2, () => keepalived.Signal(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        output.WriteLine($"keepalived SIGTERM -> ours master in {failover.TotalMilliseconds:F0} ms");
        Assert.True(failover <= TimeSpan.FromMilliseconds(900), $"took {failover.TotalMilliseconds} ms:\n{sampler.Describe()}");

        // keepalived comes back at 100 and preempts ours.
        var restart = sampler.Now;
        keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        Assert.True(sampler.WaitForSoleHolder(1, restart, TimeSpan.FromSeconds(15)) is not null, sampler.Describe());
        Assert.True(sampler.LongestMultipleHolders(restart) <= TimeSpan.FromSeconds(1), sampler.Describe());

        // keepalived dies hard (every process): ours takes over after the master-down interval.
        var (down, _) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        output.WriteLine($"keepalived kill -9 -> ours master in {down.TotalMilliseconds:F0} ms");
        Assert.True(down <= TimeSpan.FromMilliseconds(3800), $"took {down.TotalMilliseconds} ms");

        ours.Signal(15);
        Assert.True(ours.WaitForExit(TimeSpan.FromSeconds(5)));
        AssertNoDropsOfPeerAdverts(ours.Output);
    }

    [RootFact]
    public void OurMasterAndKeepalivedBackupHandOverBothWays()
    {
        using var lab = NetnsLab.Create(2);
        var script = LabConfigs.HealthyScript(lab);
        var kaConf = lab.WriteFile("keepalived.conf", LabConfigs.SeedKeepalived("BACKUP", 99, script, "lb02"));
        var ourConf = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 }));
        using var sampler = new VipSampler(lab.Nodes);

        var ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)));
        var keepalived = lab.StartKeepalived(lab.Nodes[1], kaConf);
        Thread.Sleep(5000);
        Assert.Equal([1], sampler.Current); // keepalived accepts our adverts and stays backup

        var (failover, overlap) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        output.WriteLine($"ours SIGTERM -> keepalived master in {failover.TotalMilliseconds:F0} ms");
        Assert.True(failover <= TimeSpan.FromMilliseconds(900), $"took {failover.TotalMilliseconds} ms:\n{sampler.Describe()}");
        Assert.True(overlap <= TimeSpan.FromSeconds(1), sampler.Describe());
        var firstRun = ours.Output;

        var restart = sampler.Now;
        ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        Assert.True(sampler.WaitForSoleHolder(1, restart, TimeSpan.FromSeconds(15)) is not null, $"ours did not preempt keepalived:\n{sampler.Describe()}");
        Assert.True(sampler.LongestMultipleHolders(restart) <= TimeSpan.FromSeconds(1), sampler.Describe());

        var (down, overlapKill) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(9), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        output.WriteLine($"ours kill -9 -> keepalived master in {down.TotalMilliseconds:F0} ms");
        Assert.True(down <= TimeSpan.FromMilliseconds(3800), $"took {down.TotalMilliseconds} ms");
        Assert.True(overlapKill <= TimeSpan.FromSeconds(1), sampler.Describe());

        // keepalived's own error counters for our adverts (SIGUSR2 writes /tmp/keepalived.stats).
        var stats = KeepalivedStats(lab);
        output.WriteLine(stats);
        foreach (Match m in ErrorCounter().Matches(stats))
        {
            Assert.True(m.Groups[2].Value == "0", $"keepalived counted '{m.Groups[1].Value.Trim()}' = {m.Groups[2].Value}:\n{stats}");
        }

        AssertNoDropsOfPeerAdverts(firstRun);
    }

    private static string KeepalivedStats(NetnsLab lab)
    {
        var statsFile = "/tmp/keepalived.stats";
        File.Delete(statsFile);
        lab.KillAll(lab.Nodes[1], signal: 12);
        for (var i = 0; i < 50 && !File.Exists(statsFile); i++)
        {
            Thread.Sleep(100);
        }

        Thread.Sleep(200);
        Assert.True(File.Exists(statsFile), "keepalived wrote no stats file on SIGUSR2");
        return File.ReadAllText(statsFile);
    }

    /// <summary>Our daemon logs every kind of drop and prints its drop counters when it stops.</summary>
    private static void AssertNoDropsOfPeerAdverts(string log)
    {
        Assert.DoesNotContain("dropped datagram", log, StringComparison.Ordinal);
        Assert.Contains("drops: none", log, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(Length|TTL|Invalid Type|Advertisement Interval|Address List|Invalid Authtype|Authentication Failure|Authtype Mismatch|Packet Errors|Authentication Errors)\s*:\s*(\d+)")]
    private static partial Regex ErrorCounter();
}
