using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// The master's link flapping, down and up every 200 ms for 10 s (a bad cable, a port negotiating). Each down puts the
/// instance in Fault with its VIP removed, each up puts it in Backup with the full master-down timer (docs/design/vrrp.md
/// §5.5), which an up of 100 ms never lets expire: node2 takes over once, after its master-down interval, and keeps the
/// VIP through the flapping. After the last up node1 waits out its own master-down interval, discarding node2's
/// lower-priority adverts (preempt), becomes master and node2 steps down on its first advert.
/// </summary>
public sealed class LinkFlapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = VrrpFaultLab.Timeout;
    private static readonly TimeSpan Flapping = TimeSpan.FromSeconds(10);

    [RootFact]
    public void AMasterWhoseLinkFlapsForTenSecondsStaysUpAndEndsAsTheSoleHolderAMasterDownIntervalAfterTheLastUp()
    {
        using var f = VrrpFaultLab.Start();
        f.Settle();
        var settled = DateTime.Now;
        var before = f.Daemons.Select((_, i) => TransitionTotal(f.Nodes[i])).ToArray();

        var flaps = LinkFlapper.Flap(f.Lab, f.Nodes[0], Flapping);
        var firstDown = VrrpTransitions.Since(f.Daemons[0], settled).FirstOrDefault(t => t.Reason == "LinkDown")
            ?? throw new Xunit.Sdk.XunitException($"node1 never saw its link go down\n{f.Describe()}");
        // The first time node1 is master again; the assertions below check that it came after the last up.
        var master = DaemonLog.WaitFor(f.Daemons[0], "Backup -> Master (", firstDown.At, Timeout);
        f.WaitForFollowers(f.Nodes[0], 3);
        var node1 = VrrpTransitions.Since(f.Daemons[0], settled);
        var lastUp = node1.Last(t => t.Reason == "LinkUp").At;
        var sole = f.Sampler.RequireSoleHolder(1, f.Sampler.FromLocal(lastUp), Timeout, f.Daemons);
        var node2 = VrrpTransitions.Since(f.Daemons[1], settled);
        var node3 = VrrpTransitions.Since(f.Daemons[2], lastUp);
        var counted = f.Daemons.Select((_, i) => TransitionTotal(f.Nodes[i]) - before[i]).ToArray();
        var takeover = node2.FirstOrDefault(t => t.To == "Master");
        var faults = node1.Count(t => t.To == "Fault");
        var heldDuringFlapping = f.Sampler.WaitForHolder(1, f.Sampler.FromLocal(firstDown.At) + VrrpTiming.Margin, TimeSpan.Zero);
        // The takeover's GARP burst (garp_master_repeat 5), the delayed one comes garp_master_delay (5 s) later.
        var garps = f.Capture.GarpsSent(1, master - VrrpTiming.Early).Count(g => g.At < master + VrrpTiming.AdvertInterval);
        output.WriteLine($"link flapping 200 ms x {flaps}: node1 {node1.Count} transitions ({faults} to Fault), node2 master {(takeover is null ? "never" : $"{(takeover.At - firstDown.At).TotalMilliseconds:F0} ms after the first down")}; after the last up node1 master in {(master - lastUp).TotalMilliseconds:F0} ms, sole holder {(sole - f.Sampler.FromLocal(lastUp)).TotalMilliseconds:F0} ms after it, {garps} GARPs; metrics count {string.Join('/', counted)} transitions on node1/2/3");
        output.WriteLine($"transitions node2 [{VrrpTransitions.Describe(node2)}] node3 after the last up [{VrrpTransitions.Describe(node3)}]");
        output.WriteLine(f.Sampler.Describe());

        // Up, no crash, nothing logged as an error.
        Assert.All(f.Daemons, d => Assert.False(d.HasExited, d.Describe()));
        AssertNoErrorLogged(f.Daemons[0]);
        // Every down was a Fault and every up a Backup until the last; the VIP was not on node1 meanwhile.
        Assert.True(faults > 1, $"node1 saw {faults} link downs in {flaps} flaps: {VrrpTransitions.Describe(node1)}");
        Assert.All(node1.Where(t => t.At > firstDown.At && t.At < lastUp), t => Assert.NotEqual("Master", t.To));
        Assert.True(heldDuringFlapping is null || heldDuringFlapping >= f.Sampler.FromLocal(master) - VrrpTiming.Early,
            $"node1 held the VIP while its link flapped\n{f.Describe()}");
        // The first send after the flapping lost nothing (a capture socket's stale ENETDOWN once cost the first GARP).
        Assert.True(garps >= 5, $"node1 sent {garps} GARPs on taking the VIP back\n{f.Capture.Lines("ARP")}");
        // Then one transition after the last up: master on its master-down timer.
        Assert.Equal([("Backup", "Master", "MasterDownTimerExpired")], node1.Where(t => t.At > lastUp).Select(t => (t.From, t.To, t.Reason)));
        // Its full master-down interval after the last up, not earlier (it had to discard node2's adverts), not later.
        Assert.True(master - lastUp >= VrrpTiming.MasterDown(100) - VrrpTiming.Early && master - lastUp <= VrrpTiming.MasterDown(100) + VrrpTiming.Margin,
            $"node1 became master {(master - lastUp).TotalMilliseconds:F0} ms after its last link up; its master-down interval is {VrrpTiming.MasterDown(100).TotalMilliseconds:F0} ms\n{f.Describe()}");
        Assert.True(sole - f.Sampler.FromLocal(lastUp) <= VrrpTiming.MasterDown(100) + VrrpTiming.Margin, $"one holder only {(sole - f.Sampler.FromLocal(lastUp)).TotalMilliseconds:F0} ms after the last up\n{f.Describe()}");
        // node2 took over once and stepped down once, on node1's advert.
        Assert.Equal([("Backup", "Master"), ("Master", "Backup")], node2.Select(t => (t.From, t.To)));
        Assert.Equal("HigherPriorityAdvert", node2[1].Reason);
        Assert.True(node3.Count == 0, $"node3 changed state after the last up: {VrrpTransitions.Describe(node3)}");
        // The metrics count what the log shows.
        Assert.Equal((double)node1.Count, counted[0]);
        Assert.Equal((double)node2.Count, counted[1]);
        // Not left on two nodes.
        Assert.True(f.Sampler.LongestMultipleHolders(sole) == TimeSpan.Zero, f.Sampler.Describe());
        Assert.Equal([1], f.Sampler.Current);
    }

    [RootFact]
    public void AnIPv6MasterWhoseLinkFlapsTakesTheVipBackFromItsOwnLinkLocalAddressOnceDadHasPassed()
    {
        // The kernel's own link-local addresses: every link up removes and re-adds them tentative (keep_addr_on_down
        // is off), so after the flapping node1 sends again only once duplicate address detection has passed.
        using var lab = NetnsLab.Create(2);
        var conf = lab.WriteFile("cloudcore-lb.yaml", LabIPv6.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }, TimeSpan.FromSeconds(1)));
        using var sampler = new VipSampler(lab.Nodes, LabIPv6.Vip);
        var node1 = lab.StartDaemon(lab.Nodes[0], conf);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, node1);
        var node2 = lab.StartDaemon(lab.Nodes[1], conf);
        var linkLocal = LabStatus.Instance(LabStatus.WaitFor(lab, lab.Nodes[1], s => LabStatus.Instance(s).GetProperty("state").GetString() == "Backup"
            && LabStatus.Instance(s).GetProperty("adverts_received").GetInt64() >= 2, "node2 in Backup behind node1")).GetProperty("last_master").GetString()!;
        Assert.StartsWith("fe80:", linkLocal, StringComparison.Ordinal);

        var flaps = LinkFlapper.Flap(lab, lab.Nodes[0], TimeSpan.FromSeconds(5));
        var lastUp = sampler.Now;
        var sole = sampler.RequireSoleHolder(1, lastUp, Timeout, node1, node2);
        var heard = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[1])).GetProperty("adverts_received").GetInt64();
        // node2 follows node1 again, from the same link-local address, for more than its master-down interval.
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: (int)heard + 4, masterAddress: linkLocal);
        output.WriteLine($"IPv6 link flapping 200 ms x {flaps}: node1 sole holder {(sole - lastUp).TotalMilliseconds:F0} ms after the last up; {sampler.Describe()}");

        Assert.False(node1.HasExited, node1.Describe());
        Assert.False(node2.HasExited, node2.Describe());
        // After the last up: node1's master-down interval, plus DAD (up to 1 s delay and one 1 s solicitation) before
        // its first advert can leave, plus scheduling.
        Assert.True(sole - lastUp <= VrrpTiming.MasterDown(100) + TimeSpan.FromSeconds(2) + VrrpTiming.Margin, sampler.Describe() + node1.Describe());
        Assert.Equal(TimeSpan.Zero, sampler.LongestMultipleHolders(sole + VrrpTiming.Margin));
        Assert.Equal([1], sampler.Current);
    }

    [RootFact]
    public void KeepalivedUnderTheSameLinkFlappingEndsWithOneHolder()
    {
        using var f = VrrpFaultLab.StartKeepalived();
        var start = DateTime.Now;
        var flaps = LinkFlapper.Flap(f.Lab, f.Nodes[0], Flapping);
        var flapEnd = f.Sampler.FromLocal(DateTime.Now);
        var sole = f.Sampler.RequireSoleHolder(1, flapEnd, Timeout, f.Daemons);
        // Observe three more adverts of node1 as master, as the cloudcore-lb test waits for its followers.
        var deadline = DateTime.UtcNow + Timeout;
        var soleLocal = DateTime.Now;
        while (f.Capture.AdvertsSent(1, soleLocal).Count < 3 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        var faults = f.Daemons[0].Output.Split('\n').Count(l => l.Contains("Entering FAULT STATE", StringComparison.Ordinal));
        var took = f.Sampler.WaitForHolder(2, f.Sampler.FromLocal(start), TimeSpan.Zero);
        output.WriteLine($"keepalived link flapping 200 ms x {flaps}: node1 entered FAULT {faults} times; node2 took the VIP {(took is null ? "never" : $"at {took.Value.TotalSeconds:F3}s")}; node1 sole holder {(sole - flapEnd).TotalMilliseconds:F0} ms after the flapping ended, {f.Sampler.Moves(f.Sampler.FromLocal(start))} moves, two holders at most {f.Sampler.LongestMultipleHolders(f.Sampler.FromLocal(start)).TotalMilliseconds:F0} ms");
        output.WriteLine(f.Sampler.Describe());
        Assert.All(f.Daemons, d => Assert.False(d.HasExited, d.Describe()));
        Assert.Equal([1], f.Sampler.Current);
    }

    /// <summary>Every transition the daemon's metrics counted for the lab instance.</summary>
    private static double TransitionTotal(LabNode node) => LabMetrics.Sum(node, "cloudcore_lb_vrrp_transitions_total{instance=\"CloudCore\"");

    /// <summary>Nothing at error level or above, and no exception text (a stack trace or an exception logged with a warning).</summary>
    private static void AssertNoErrorLogged(LabProcess daemon)
    {
        var bad = daemon.Output.Split('\n').Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)
            || l.Contains("Exception", StringComparison.Ordinal)).ToArray();
        Assert.True(bad.Length == 0, $"{daemon.Name} logged errors:\n{string.Join('\n', bad)}");
    }
}
