using System.Globalization;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// The wall clock of one node stepped by an hour at a time (issue 15: an NTP step, an operator's <c>date -s</c>, a VM
/// restored from a snapshot). Every timer of the daemon runs on the monotonic clock, so a step changes nothing but
/// the time it logs: the master's adverts keep their one-second schedule, the backup's master-down timer keeps being
/// reset by them, the proxy's inactivity timeouts and the health checks' timeouts measure what they did before. Only
/// the stepped daemon sees the step (libfaketime, <see cref="FakedWallClock"/>); the test proves it did from the
/// daemon's own answers before it counts what did not happen.
/// </summary>
public sealed class WallClockJumpTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99 };
    private static readonly TimeSpan Timeout = VrrpFaultLab.Timeout;
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>An hour ahead, back to the real time, an hour behind, back again: two steps of an hour each way.</summary>
    private static readonly TimeSpan[] Offsets = [Hour, TimeSpan.Zero, -Hour, TimeSpan.Zero];

    /// <summary>
    /// Adverts the backup accepts after each step before the next: more than a master-down interval (3.6 s) of them,
    /// so a timer the step stalled (a backward step) or fired early (a forward one) has had its chance to show.
    /// </summary>
    private const int AdvertsPerStep = 5;

    [RootFact]
    public void StepsOfAnHourOnTheMastersWallClockMoveNeitherTheVipNorTheAdvertsNorASession() => Run(stepped: 0);

    [RootFact]
    public void StepsOfAnHourOnTheBackupsWallClockMoveNeitherTheVipNorTheAdvertsNorASession() => Run(stepped: 1);

    /// <summary>
    /// Debian's keepalived with the seed's keepalived.conf under the same steps on its master, for the comparison. It
    /// has no status to wait on, so each step is observed for the time the cloudcore-lb test waits (five adverts, or
    /// 10 s should its adverts stop); only the end state is asserted: one holder.
    /// </summary>
    [RootFact]
    public void KeepalivedUnderTheSameStepsOnItsMasterEndsWithOneHolder()
    {
        using var lab = NetnsLab.Create(2);
        using var sampler = new VipSampler(lab.Nodes);
        var capture = new SegmentCapture(lab);
        var clock = new FakedWallClock(lab, "node1");
        var script = LabConfigs.HealthyScript(lab);
        var daemons = new LabProcess[2];
        foreach (var (node, i) in lab.Nodes.Select((n, i) => (n, i)))
        {
            var conf = lab.WriteFile($"keepalived-{node.Name}.conf", LabConfigs.SeedKeepalived(i == 0 ? "MASTER" : "BACKUP", 100 - i, script, $"lb0{i + 1}"));
            daemons[i] = lab.StartKeepalived(node, conf, i == 0 ? clock.Environment : null);
            if (i == 0)
            {
                sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons[0]);
            }
        }

        var started = DateTime.Now;
        Assert.True(SpinWait.SpinUntil(() => capture.AdvertsSent(1, started).Count >= VrrpFaultLab.KeepalivedSettleAdverts, Timeout),
            $"keepalived on node1 did not advertise:\n{string.Join('\n', daemons.Select(d => d.Describe()))}");
        var from = DateTime.Now;
        foreach (var offset in Offsets)
        {
            var at = DateTime.Now;
            clock.Step(offset);
            _ = SpinWait.SpinUntil(() => capture.AdvertsSent(1, at).Count >= AdvertsPerStep + 1, TimeSpan.FromSeconds(10));
        }

        var until = DateTime.Now;
        var gaps = Gaps([.. capture.AdvertsSent(1, from - VrrpTiming.AdvertInterval).Where(a => a.At <= until)]);
        var start = sampler.FromLocal(from);
        output.WriteLine($"keepalived, wall clock of node1 stepped {string.Join(", ", Offsets.Select(o => $"{o.TotalSeconds:+0;-0;0} s"))} over {(until - from).TotalSeconds:F1} s: " +
            $"node1 advert gaps {Describe(gaps)}; node2 sent {capture.AdvertsSent(2, from).Count(a => a.At <= until)} adverts; " +
            $"{sampler.Moves(start)} moves, two holders for {sampler.LongestMultipleHolders(start).TotalMilliseconds:F0} ms, none for {sampler.LongestWithoutHolder(start).TotalMilliseconds:F0} ms");
        output.WriteLine(sampler.Describe());
        clock.Step(TimeSpan.Zero);
        Assert.NotNull(sampler.WaitForSoleHolder(1, sampler.Now, Timeout));
    }

    private void Run(int stepped)
    {
        using var lab = NetnsLab.Create(2, withClient: true);
        using var sampler = new VipSampler(lab.Nodes);
        var capture = new SegmentCapture(lab);
        var steppedNode = lab.Nodes[stepped];
        var clock = new FakedWallClock(lab, steppedNode.Name);
        LabConfigs.StartCloudCores(lab);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(Priorities) + Proxy(lab.Nodes));
        LabProcess Start(LabNode node) => lab.Start(node, $"cloudcore-lb@{node.Name}", NetnsLab.DaemonPath,
            ["run", "--config", config, "--node", node.Name, "--socket", lab.ControlSocket(node)],
            node == steppedNode ? clock.Environment : null);

        var daemons = new[] { Start(lab.Nodes[0]), null! };
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons[0]);
        daemons[1] = Start(lab.Nodes[1]);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 2);
        foreach (var node in lab.Nodes)
        {
            LabStatus.WaitForServersUp(lab, node);
        }

        // One session through the VIP (the master's proxy) and one to the backup's own address (its proxy), so the
        // stepped node's proxy carries one either way; each sends a line every 200 ms and reads its echo.
        var stop = Path.Combine(lab.Directory, "sessions.stop");
        var sessions = new[] { NetnsLab.Vip, lab.Nodes[1].Address }.Select(host => lab.Start(lab.Client!, $"edge-session@{host}", "python3",
            Path.Combine(AppContext.BaseDirectory, "Lab", "lab_session.py"), host, "10010", "600", stop)).ToArray();
        foreach (var session in sessions)
        {
            Assert.True(session.WaitForOutput("session echoing", Timeout), session.Output);
        }

        var marks = daemons.Select(d => d.Output.Length).ToArray();
        var checkFailures = lab.Nodes.Select(n => LabMetrics.Sum(n, "cloudcore_lb_server_check_failures_total")).ToArray();
        // The counter is read somewhere within each scrape, which takes seconds on a loaded machine: bracket it.
        var firstScrape = DateTime.Now;
        var sentBefore = LabMetrics.Sum(lab.Nodes[0], "cloudcore_lb_vrrp_adverts_sent_total");
        var from = DateTime.Now;
        var report = new List<string>();
        foreach (var offset in Offsets)
        {
            var was = clock.Offset;
            var at = DateTime.Now;
            clock.Step(offset);
            var seen = clock.WaitUntilDaemonFollows(steppedNode, Timeout);
            var echoes = sessions.Select(Echoes).ToArray();
            var received = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[1])).GetProperty("adverts_received").GetInt64();
            LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: (int)received + AdvertsPerStep);
            foreach (var (session, i) in sessions.Select((s, i) => (s, i)))
            {
                Assert.True(SpinWait.SpinUntil(() => Echoes(session) >= echoes[i] + AdvertsPerStep || session.HasExited, Timeout) && !session.HasExited,
                    $"the session stopped echoing after the step to {offset.TotalSeconds:+0;-0;0} s:\n{session.Output}");
            }

            var gaps = Gaps(capture.AdvertsSent(1, at - VrrpTiming.AdvertInterval));
            report.Add($"{was.TotalSeconds:+0;-0;0} s -> {offset.TotalSeconds:+0;-0;0} s: {steppedNode.Name}'s daemon told {seen.TotalSeconds:+0;-0;0} s, " +
                $"advert gaps around the step {Describe(gaps)}");
        }

        var until = DateTime.Now;
        var sentAfter = LabMetrics.Sum(lab.Nodes[0], "cloudcore_lb_vrrp_adverts_sent_total");
        var lastScrape = DateTime.Now;
        File.WriteAllText(stop, "");
        // The capture is read from tcpdump's output: wait until it shows an advert after the last scrape.
        Assert.True(SpinWait.SpinUntil(() => capture.AdvertsSent(1, lastScrape).Count > 0, Timeout), capture.Lines("vrrp"));
        foreach (var session in sessions)
        {
            Assert.True(session.WaitForExit(Timeout), session.Output);
        }

        int Captured(DateTime after, DateTime before) => capture.AdvertsSent(1, after).Count(a => a.At <= before);
        var (countedAtLeast, countedAtMost) = (Captured(from, until), Captured(firstScrape, lastScrape));
        var window = from - VrrpTiming.AdvertInterval;
        var sent = capture.AdvertsSent(1, window).Where(a => a.At <= until).ToArray();
        var allGaps = Gaps(sent);
        var backupSent = capture.AdvertsSent(2, window).Where(a => a.At <= until).ToArray();
        var silences = AdvertTimeline.Silences(capture, 2, 99, from, until, VrrpTiming.MasterDown(99));
        var inWindow = sent.Count(a => a.At >= from);
        var slots = (int)Math.Ceiling((until - from) / VrrpTiming.AdvertInterval);
        var transitions = daemons.Select((d, i) => VrrpTransitions.AfterOffset(d, marks[i])).ToArray();
        var downs = daemons.SelectMany((d, i) => d.Output[marks[i]..].Split('\n').Where(l => l.Contains(" is DOWN", StringComparison.Ordinal))).ToArray();
        var failuresAfter = lab.Nodes.Select(n => LabMetrics.Sum(n, "cloudcore_lb_server_check_failures_total")).ToArray();
        var start = sampler.FromLocal(from);
        output.WriteLine($"wall clock of {steppedNode.Name} stepped {string.Join(", ", Offsets.Select(o => $"{o.TotalSeconds:+0;-0;0} s"))} over {(until - from).TotalSeconds:F1} s:");
        report.ForEach(output.WriteLine);
        output.WriteLine($"node1 sent {inWindow} adverts in {slots} intervals (its counter: {sentAfter - sentBefore:F0}, the capture while counting {countedAtLeast}-{countedAtMost}), gaps {Describe(allGaps)}; node2 sent {backupSent.Length}");
        output.WriteLine($"sessions: {string.Join("; ", sessions.Select(s => s.Output.Split('\n').LastOrDefault(l => l.StartsWith("session ", StringComparison.Ordinal))))}");
        output.WriteLine($"check failures during the steps: node1 {failuresAfter[0] - checkFailures[0]:F0}, node2 {failuresAfter[1] - checkFailures[1]:F0}");
        output.WriteLine(sampler.Describe());

        var context = $"\n{string.Join('\n', report)}\n{sampler.Describe()}\n{string.Join('\n', daemons.Select(d => d.Describe()))}";
        Assert.True(transitions.All(t => t.Count == 0), $"a state changed: {string.Join("; ", transitions.SelectMany(t => t))}{context}");
        Assert.True(sampler.Moves(start) == 0 && sampler.LongestMultipleHolders(start) == TimeSpan.Zero && sampler.LongestWithoutHolder(start) == TimeSpan.Zero,
            $"the VIP did not stay on node1 alone{context}");
        Assert.Equal([1], sampler.Current);
        // The master's schedule: a stall (a backward step on a wall-clock timer) would leave the backup a master-down
        // interval without an advert, a burst (a forward one) would put more adverts into the steps than intervals
        // passed. A late timer on a loaded machine stretches one gap and shortens the next (the schedule is kept), so
        // single gaps are reported, not bounded.
        Assert.True(inWindow <= slots + 1, $"node1 sent {inWindow} adverts in {slots} intervals: {Describe(allGaps)}{context}");
        Assert.True(sentAfter - sentBefore >= countedAtLeast && sentAfter - sentBefore <= countedAtMost,
            $"node1 counted {sentAfter - sentBefore} adverts sent, the segment saw {countedAtLeast}-{countedAtMost} while it was counting{context}");
        Assert.True(backupSent.Length == 0 && silences.Count == 0,
            $"node2 went {silences.Count} times a master-down interval without node1's adverts and sent {backupSent.Length} adverts{context}");
        Assert.True(downs.Length == 0 && failuresAfter.SequenceEqual(checkFailures),
            $"a health check failed: {string.Join('\n', downs)}; failures {string.Join(", ", checkFailures)} -> {string.Join(", ", failuresAfter)}{context}");
        foreach (var node in lab.Nodes)
        {
            LabStatus.WaitForServersUp(lab, node);
        }

        foreach (var session in sessions)
        {
            Assert.Contains("session ok", session.Output, StringComparison.Ordinal);
        }

        Assert.True(daemons.All(d => !d.HasExited), context);
    }

    /// <summary>One frontend with the seed's ports and 30 s inactivity timeouts each way; checks every second, one failure marks a server down.</summary>
    private static string Proxy(IReadOnlyList<LabNode> nodes) => $$"""
        proxy:
          frontends:
            - { name: cloudcore_front, bind: "*:10010", backend: cloudcore_back, timeouts: { client: 30s } }
          backends:
            - name: cloudcore_back
              balance: source
              timeouts: { connect: 10s, server: 30s }
              check: { interval: 1s, timeout: 2s, rise: 1, fall: 1 }
              servers:
        {{string.Join('\n', nodes.Select(n => $"        - {{ name: cc{n.Index}, address: \"{n.Address}:10000\" }}"))}}

        """;

    private static int Echoes(LabProcess session) =>
        session.Output.Split('\n').Count(l => l.StartsWith("session echo ", StringComparison.Ordinal));

    private static TimeSpan[] Gaps(IReadOnlyList<SegmentFrame> adverts) =>
        [.. adverts.Where(a => a.Priority > 0).Zip(adverts.Where(a => a.Priority > 0).Skip(1), (a, b) => b.At - a.At)];

    private static string Describe(TimeSpan[] gaps) => gaps.Length == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{gaps.Length} from {gaps.Min().TotalMilliseconds:F0} to {gaps.Max().TotalMilliseconds:F0} ms, mean {gaps.Average(g => g.TotalMilliseconds):F0} ms");
}
