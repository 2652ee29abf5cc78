using System.Globalization;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>
/// Issue 12's side-by-side figures: sessions broken and VIP moves when the VIP holder's load balancer is reloaded,
/// restarted, upgraded or crashes, for the seed's keepalived + haproxy (Debian's 2.6) and for cloudcore-lb, in the
/// same three-node lab with 500 held edge sessions (1 s heartbeats) and one checksummed bulk stream through the VIP.
/// Run with <c>benchmarks/session-survival.sh</c> (excluded from the default test run); <c>SURVIVAL_RUNS</c> sets the
/// runs per event (3), <c>SURVIVAL_ONLY</c> a text the measured setup and event must contain.
/// </summary>
[Trait("Category", "Measure")]
public sealed class SessionSurvivalMeasurementTests(ITestOutputHelper output)
{
    private const int Sessions = 500;

    /// <summary>
    /// Every session sends a heartbeat each second and waits up to 10 s for its echo (lab_sessions.py): three
    /// intervals after the event has settled, every session has found out whether its connection still works.
    /// </summary>
    private static readonly TimeSpan s_heartbeatRounds = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(90);

    private static int Runs => int.TryParse(Environment.GetEnvironmentVariable("SURVIVAL_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : 3;

    [RootFact]
    public void MeasureSessionsBrokenAndVipMovesPerEventOfTheVipHolder()
    {
        var events = new (string Setup, string Event, Func<Outcome> Measure)[]
        {
            ("keepalived+haproxy", "haproxy soft reload (-sf)", () => MeasureHaproxy(HaproxyEvent.SoftReload)),
            ("keepalived+haproxy", "haproxy hard restart (SIGTERM, start)", () => MeasureHaproxy(HaproxyEvent.HardRestart)),
            ("keepalived+haproxy", "keepalived+haproxy restart", () => MeasureHaproxy(HaproxyEvent.BothRestart)),
            ("cloudcore-lb", "restart (SIGTERM, start)", () => MeasureCloudcoreLb(CloudcoreLbEvent.Restart)),
            ("cloudcore-lb", "cloudcore-lb upgrade", () => MeasureCloudcoreLb(CloudcoreLbEvent.Upgrade)),
            ("cloudcore-lb", "crash (kill -9, supervisor restarts)", () => MeasureCloudcoreLb(CloudcoreLbEvent.Crash)),
        };
        var rows = new List<string>
        {
            $"| setup | event | sessions broken of {Sessions} (per run) | bulk stream intact | VIP moves (per run) | longest without VIP, ms |",
            "|---|---|---|---|---|---|",
        };
        var only = Environment.GetEnvironmentVariable("SURVIVAL_ONLY") ?? "";
        foreach (var (setup, name, measure) in events.Where(e => $"{e.Setup} {e.Event}".Contains(only, StringComparison.Ordinal)))
        {
            var outcomes = Enumerable.Range(0, Runs).Select(_ => measure()).ToList();
            foreach (var o in outcomes)
            {
                output.WriteLine($"{setup} / {name}: {o.Summary}");
            }

            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {setup} | {name} | {string.Join(" ", outcomes.Select(o => o.Broken))} | {outcomes.Count(o => o.BulkIntact)} of {outcomes.Count} | {string.Join(" ", outcomes.Select(o => o.Moves))} | max {outcomes.Max(o => o.LongestWithoutVip.TotalMilliseconds):F0} |"));
            Assert.All(outcomes, o => Assert.InRange(o.Broken, 0, Sessions));
        }

        foreach (var row in rows)
        {
            output.WriteLine(row);
        }
    }

    private enum HaproxyEvent
    {
        SoftReload,
        HardRestart,
        BothRestart,
    }

    private enum CloudcoreLbEvent
    {
        Restart,
        Upgrade,
        Crash,
    }

    private sealed record Outcome(int Broken, bool BulkIntact, int Moves, TimeSpan LongestWithoutVip, string Summary);

    /// <summary>
    /// The seed's setup: keepalived (its keepalived.conf, the health check always passing) and haproxy (its
    /// haproxy.cfg) on every master.
    /// </summary>
    private Outcome MeasureHaproxy(HaproxyEvent kind)
    {
        using var lab = NetnsLab.Create(3, withClient: true);
        LabConfigs.StartCloudCores(lab);
        var script = LabConfigs.HealthyScript(lab);
        var haproxyConfig = lab.WriteFile("haproxy.cfg", SeedSetup.SeedHaproxy(lab.Nodes));
        using var sampler = new VipSampler(lab.Nodes);
        var keepalived = lab.Nodes.Select(n => SeedSetup.StartKeepalived(lab, n, script)).ToArray();
        var haproxy = lab.Nodes.Select(n => SeedSetup.StartHaproxy(lab, n, haproxyConfig)).ToArray();
        sampler.RequireSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(30), keepalived);
        foreach (var (node, process) in lab.Nodes.Zip(haproxy))
        {
            SeedSetup.WaitForListener(node, process.Pid);
        }

        return UnderSessions(lab, sampler, () =>
        {
            var holder = lab.Nodes[0];
            switch (kind)
            {
                case HaproxyEvent.SoftReload:
                    // systemctl reload: a new process binds beside the old one and tells it to stop listening and
                    // finish its sessions (SIGUSR1).
                    var successor = SeedSetup.StartHaproxy(lab, holder, haproxyConfig, "-sf", haproxy[0].Pid.ToString(CultureInfo.InvariantCulture));
                    SeedSetup.WaitForListener(holder, successor.Pid);
                    Assert.False(haproxy[0].HasExited, "the old haproxy left at once instead of lingering with its sessions");
                    break;
                case HaproxyEvent.HardRestart:
                    haproxy[0].Signal(15);
                    Assert.True(haproxy[0].WaitForExit(TimeSpan.FromSeconds(30)), haproxy[0].Describe());
                    SeedSetup.WaitForListener(holder, SeedSetup.StartHaproxy(lab, holder, haproxyConfig).Pid);
                    break;
                case HaproxyEvent.BothRestart:
                    keepalived[0].Signal(15);
                    haproxy[0].Signal(15);
                    Assert.True(keepalived[0].WaitForExit(TimeSpan.FromSeconds(30)), keepalived[0].Describe());
                    Assert.True(haproxy[0].WaitForExit(TimeSpan.FromSeconds(30)), haproxy[0].Describe());
                    var restarted = sampler.Now;
                    var again = SeedSetup.StartKeepalived(lab, holder, script);
                    SeedSetup.WaitForListener(holder, SeedSetup.StartHaproxy(lab, holder, haproxyConfig).Pid);
                    sampler.RequireSoleHolder(1, restarted, s_settle, again);
                    break;
            }
        });
    }

    /// <summary>
    /// The same lab with cloudcore-lb: the holder under the descriptor-store supervisor as under systemd (as in
    /// <see cref="CrashRecoveryTests"/>: restart 0.2 s, ExecStopPost release-vips, 5 s adverts for the JIT build).
    /// </summary>
    private Outcome MeasureCloudcoreLb(CloudcoreLbEvent kind)
    {
        using var lab = NetnsLab.Create(3, withClient: true);
        var config = CrashRecoveryTests.WriteConfig(lab);
        LabConfigs.StartCloudCores(lab);
        using var sampler = new VipSampler(lab.Nodes);
        var state = Path.Combine(lab.Directory, "supervisor.json");
        var supervised = CrashRecoveryTests.StartSupervised(lab, config, state, restartSeconds: 0.2);
        var backups = lab.Nodes.Skip(1).Select(n => lab.StartDaemon(n, config)).ToArray();
        sampler.RequireSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(40), [supervised, .. backups]);
        LabStatus.WaitForServersUsable(lab, lab.Nodes[0]);

        return UnderSessions(lab, sampler, () =>
        {
            // Every session is older than session_age and in the store before the event, whatever the event.
            CrashRecoveryTests.WaitForStoredSessions(state, Sessions + 1);
            var main = CrashRecoveryTests.MainPid(state);
            switch (kind)
            {
                case CloudcoreLbEvent.Restart:
                    // systemctl restart: stop (SIGTERM to the service, ExecStopPost), then start.
                    supervised.Signal(15);
                    Assert.True(supervised.WaitForExit(TimeSpan.FromSeconds(30)), supervised.Describe());
                    Shell.RunChecked(NetnsLab.DaemonPath, ["release-vips", "--config", config, "--node", lab.Nodes[0].Name], check: false);
                    var restarted = sampler.Now;
                    var again = CrashRecoveryTests.StartSupervised(lab, config, Path.Combine(lab.Directory, "supervisor-2.json"), restartSeconds: 0.2);
                    sampler.RequireSoleHolder(1, restarted, s_settle, again);
                    break;
                case CloudcoreLbEvent.Upgrade:
                    var upgrade = Shell.RunChecked(NetnsLab.DaemonPath, ["upgrade", "--socket", lab.ControlSocket(lab.Nodes[0])], check: false);
                    Assert.True(upgrade.ExitCode == 0, upgrade.Output + upgrade.Error);
                    CrashRecoveryTests.WaitForMainPidOtherThan(state, main);
                    break;
                case CloudcoreLbEvent.Crash:
                    Shell.Run("kill", "-9", main.ToString(CultureInfo.InvariantCulture));
                    Assert.True(supervised.WaitForOutput("Recovered after a crash", s_settle) || supervised.WaitForOutput("starting as backup", TimeSpan.Zero),
                        supervised.Describe());
                    output.WriteLine(supervised.Output.Split('\n').LastOrDefault(l => l.Contains("after a crash", StringComparison.Ordinal)) ?? "");
                    sampler.RequireSoleHolder(1, sampler.Now, s_settle, supervised);
                    break;
            }
        });
    }

    /// <summary>
    /// Opens the held sessions through the VIP, runs the event on the holder (it returns once the holder serves
    /// again), lets every session send a few more heartbeats, and counts what broke and how often the VIP moved.
    /// </summary>
    private static Outcome UnderSessions(NetnsLab lab, VipSampler sampler, Action holderEvent)
    {
        var stop = Path.Combine(lab.Directory, "stop-sessions");
        var load = lab.Start(lab.Client!, "edge-sessions", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_sessions.py"),
            NetnsLab.Vip, "10010", Sessions.ToString(CultureInfo.InvariantCulture), stop, "20000");
        Assert.True(load.WaitForOutput($"ready sessions={Sessions}", TimeSpan.FromSeconds(120)), load.Describe());
        WaitForEstablished(lab, Sessions + 1);
        var since = sampler.Now;
        holderEvent();
        Thread.Sleep(s_heartbeatRounds);
        File.WriteAllText(stop, "");
        Assert.True(load.WaitForExit(TimeSpan.FromSeconds(60)), load.Describe());
        var summary = load.Output.Split('\n').SingleOrDefault(l => l.StartsWith("sessions=", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"the session load ended without its summary:\n{load.Describe()}");
        var broken = int.Parse(CrashRecoveryTests.Between(summary, "broken=", " "), CultureInfo.InvariantCulture);
        return new Outcome(broken, summary.Contains("bulk_match=1", StringComparison.Ordinal), sampler.Moves(since),
            sampler.LongestWithoutHolder(since), summary.Length > 300 ? summary[..300] : summary);
    }

    /// <summary>
    /// Waits until the client holds <paramref name="count"/> connections to the VIP: lab_sessions.py reports ready
    /// before its bulk stream has connected, and an event in between would break the stream's greeting, not a session.
    /// </summary>
    private static void WaitForEstablished(NetnsLab lab, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Shell.RunChecked("ip", ["netns", "exec", lab.Client!.Netns, "ss", "-Htn", "state", "established", "dport = :10010"], check: false).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client never held {count} connections to the VIP");
            Thread.Sleep(50);
        }
    }
}
