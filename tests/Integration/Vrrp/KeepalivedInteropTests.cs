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
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void KeepalivedMasterAndOurBackupHandOverBothWays()
    {
        using var lab = NetnsLab.Create(2);
        var script = LabConfigs.HealthyScript(lab);
        var kaConf = lab.WriteFile("keepalived.conf", LabConfigs.SeedKeepalived("MASTER", 100, script));
        var ourConf = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node2"] = 99 }));
        using var sampler = new VipSampler(lab.Nodes);

        var keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, keepalived);
        var ours = lab.StartDaemon(lab.Nodes[1], ourConf);
        // Ours stays backup behind a higher-priority keepalived: four of its adverts accepted, longer than our
        // master-down interval, and the VIP never left node1.
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 4);
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe());

        // keepalived stops cleanly: priority 0, ours takes over after its skew time.
        var (failover, _, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => keepalived.Signal(15), Timeout, TimeSpan.FromSeconds(1));
        var master = VrrpTiming.AssertTakeoverAfterRelease(ours, 99, stoppedAt, Timeout);
        output.WriteLine($"keepalived SIGTERM -> ours master in {(master - stoppedAt).TotalMilliseconds:F0} ms (VIP seen after {failover.TotalMilliseconds:F0} ms)");

        // keepalived comes back at 100 and preempts ours.
        var restart = sampler.Now;
        keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        sampler.RequireSoleHolder(1, restart, Timeout, keepalived, ours);
        Assert.True(sampler.LongestMultipleHolders(restart) <= VrrpTiming.AdvertInterval, sampler.Describe());
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0]);

        // keepalived dies hard (every process): ours takes over within its master-down interval of the kill.
        var (down, _, killedAt) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), Timeout, TimeSpan.FromSeconds(1));
        var downMaster = VrrpTiming.AssertTakeoverWithinMasterDown(ours, 99, killedAt, Timeout);
        output.WriteLine($"keepalived kill -9 -> ours master in {(downMaster - killedAt).TotalMilliseconds:F0} ms (VIP seen after {down.TotalMilliseconds:F0} ms)");

        ours.Signal(15);
        Assert.True(ours.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(ours.Output);
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
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, ours);
        var keepalived = lab.StartKeepalived(lab.Nodes[1], kaConf);
        // keepalived accepts our adverts and stays backup: once it is in BACKUP, five more of our adverts span more
        // than its master-down interval (3.6 s), and the VIP never left node1.
        Assert.True(keepalived.WaitForOutput("Entering BACKUP STATE", Timeout), keepalived.Output);
        var sent = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[0])).GetProperty("adverts_sent").GetInt64();
        LabStatus.WaitFor(lab, lab.Nodes[0], s => LabStatus.Instance(s).GetProperty("adverts_sent").GetInt64() >= sent + 5, "five more adverts sent");
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe() + keepalived.Output);

        // Ours stops cleanly: keepalived takes over on our priority-0 advert after its skew time, not its master-down
        // interval. keepalived logs whole seconds only, so its takeover is the VIP appearing on node2.
        var (failover, overlap, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(15), Timeout, TimeSpan.FromSeconds(1));
        var released = DaemonLog.WaitFor(ours, "releasing the router with a priority-0 advert", stoppedAt, Timeout);
        var afterRelease = sampler.FromLocal(stoppedAt) + failover - sampler.FromLocal(released);
        output.WriteLine($"ours SIGTERM -> keepalived master in {failover.TotalMilliseconds:F0} ms, {afterRelease.TotalMilliseconds:F0} ms after our priority-0 advert");
        Assert.True(afterRelease <= VrrpTiming.Skew(99) + VrrpTiming.Margin,
            $"keepalived took the VIP {afterRelease.TotalMilliseconds:F0} ms after our priority-0 advert; its skew time is {VrrpTiming.Skew(99).TotalMilliseconds:F0} ms:\n{sampler.Describe()}\n{keepalived.Output}");
        Assert.True(overlap <= VrrpTiming.AdvertInterval, sampler.Describe());
        var firstRun = ours.Output;

        var restart = sampler.Now;
        ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        sampler.RequireSoleHolder(1, restart, Timeout, ours, keepalived);
        Assert.True(sampler.LongestMultipleHolders(restart) <= VrrpTiming.AdvertInterval, sampler.Describe());

        // Ours dies hard: keepalived takes over within its master-down interval of the kill (sooner when our guardian's
        // priority-0 advert arrives first).
        var (down, overlapKill, killedAt) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(9), Timeout, TimeSpan.FromSeconds(1));
        output.WriteLine($"ours kill -9 -> keepalived master in {down.TotalMilliseconds:F0} ms");
        Assert.True(down <= VrrpTiming.MasterDown(99) + VrrpTiming.Margin,
            $"keepalived took the VIP {down.TotalMilliseconds:F0} ms after ours was killed; its master-down interval is {VrrpTiming.MasterDown(99).TotalMilliseconds:F0} ms:\n{sampler.Describe()}");
        Assert.True(overlapKill <= VrrpTiming.AdvertInterval, sampler.Describe());

        // keepalived's own error counters for our adverts (SIGUSR2 writes keepalived.stats into its TMPDIR).
        var stats = KeepalivedStats(lab);
        output.WriteLine(stats);
        foreach (Match m in ErrorCounter().Matches(stats))
        {
            Assert.True(m.Groups[2].Value == "0", $"keepalived counted '{m.Groups[1].Value.Trim()}' = {m.Groups[2].Value}:\n{stats}");
        }

        DaemonLog.AssertNoDrops(firstRun);
    }

    /// <summary>
    /// keepalived's stats, written on SIGUSR2 into its TMPDIR; read once the file has stopped growing (keepalived
    /// writes it from its signal handler, so a read may catch it half written).
    /// </summary>
    private static string KeepalivedStats(NetnsLab lab)
    {
        var statsFile = Path.Combine(lab.KeepalivedDirectory(lab.Nodes[1]), "keepalived.stats");
        File.Delete(statsFile);
        lab.KillAll(lab.Nodes[1], signal: 12);
        var last = "";
        var complete = SpinWait.SpinUntil(() =>
        {
            var text = File.Exists(statsFile) ? File.ReadAllText(statsFile) : "";
            var stable = text.Length > 0 && text == last;
            last = text;
            Thread.Sleep(100);
            return stable;
        }, Timeout);
        Assert.True(complete, $"keepalived wrote no stats file on SIGUSR2 within {Timeout.TotalSeconds} s");
        return last;
    }

    [GeneratedRegex(@"(Length|TTL|Invalid Type|Advertisement Interval|Address List|Invalid Authtype|Authentication Failure|Authtype Mismatch|Packet Errors|Authentication Errors)\s*:\s*(\d+)")]
    private static partial Regex ErrorCounter();
}
