using System.Text.RegularExpressions;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>Metrics, status and reload against real daemons in the namespace lab (issue 5).</summary>
public sealed partial class OperatorSurfaceTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99 };
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void AMetricsScrapeAfterARealFailoverShowsTheNewMasterAndItsTransitions()
    {
        using var lab = NetnsLab.Create(2);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(Priorities));
        using var sampler = new VipSampler(lab.Nodes);
        // node1 first: started together, the two timers expire 4 ms apart and node2 may briefly win the start race.
        var first = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var daemons = new[] { first, lab.StartDaemon(lab.Nodes[1], config) };
        // The backup has joined: it follows node1 and has counted two of its adverts.
        var joined = LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 2).GetProperty("adverts_received").GetInt64();
        var (_, _, stoppedAt) = Vrrp.FailoverTimeline.Measure(sampler, 2, () => daemons[0].Signal(15), Timeout, TimeSpan.FromSeconds(1));
        VrrpTiming.AssertTakeoverAfterRelease(daemons[1], 99, stoppedAt, Timeout);

        // The new master's GARP burst has gone out (it follows the takeover, so a scrape at once may precede it).
        LabMetrics.WaitFor(lab.Nodes[1], "cloudcore_lb_vrrp_garp_sent_total{instance=\"CloudCore\"}", 5, Timeout);
        var text = LabMetrics.Scrape(lab.Nodes[1]);
        var metrics = LabMetrics.Parse(text);
        output.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("cloudcore_lb_vrrp", StringComparison.Ordinal))));
        Assert.Equal(1, metrics["cloudcore_lb_vrrp_state{instance=\"CloudCore\",state=\"master\"}"]);
        Assert.Equal(0, metrics["cloudcore_lb_vrrp_state{instance=\"CloudCore\",state=\"backup\"}"]);
        Assert.Equal(1, metrics["cloudcore_lb_vrrp_transitions_total{instance=\"CloudCore\",from=\"initialize\",to=\"backup\"}"]);
        Assert.Equal(1, metrics["cloudcore_lb_vrrp_transitions_total{instance=\"CloudCore\",from=\"backup\",to=\"master\"}"]);
        // Every advert the status counted before the stop, and the priority-0 release after it.
        Assert.True(metrics["cloudcore_lb_vrrp_adverts_received_total{instance=\"CloudCore\"}"] >= joined + 1);
        Assert.True(metrics["cloudcore_lb_vrrp_adverts_sent_total{instance=\"CloudCore\"}"] >= 1);
        Assert.Equal(1, metrics["cloudcore_lb_vrrp_priority_zero_received_total{instance=\"CloudCore\"}"]);
        Assert.Equal(99, metrics["cloudcore_lb_vrrp_effective_priority{instance=\"CloudCore\"}"]);
        Assert.True(metrics["cloudcore_lb_vrrp_garp_sent_total{instance=\"CloudCore\"}"] >= 5);
        Assert.All(metrics.Where(m => m.Key.StartsWith("cloudcore_lb_vrrp_drops_total", StringComparison.Ordinal)), m => Assert.Equal(0, m.Value));
        Assert.True(metrics["process_working_set_bytes"] > 0);
        Assert.True(metrics["process_open_handles"] > 0);
        // Passwords never reach metrics.
        Assert.DoesNotContain("1111", text.Split('\n').Where(l => !l.StartsWith('#') && l.Contains('{', StringComparison.Ordinal)), StringComparer.Ordinal);
    }

    [RootFact]
    public void AReloadKeepsALiveProxiedSessionAndTheVrrpMasterInPlace()
    {
        using var lab = NetnsLab.Create(2, withClient: true);
        var yaml = LabConfigs.Daemon(Priorities) + LabConfigs.SeedProxy(lab.Nodes);
        var config = lab.WriteFile("cloudcore-lb.yaml", yaml);
        foreach (var node in lab.Nodes)
        {
            Assert.True(LabConfigs.StartCloudCore(lab, node).WaitForOutput("listening", Timeout));
        }

        using var sampler = new VipSampler(lab.Nodes);
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons);
        LabStatus.WaitForServersUp(lab, lab.Nodes[0]);

        // The session runs until the test creates the stop file, so the reload surely happens in its middle.
        var stop = Path.Combine(lab.Directory, "session.stop");
        var session = lab.Start(lab.Client!, "edge-session", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_session.py"), NetnsLab.Vip, "10010", "120", stop);
        Assert.True(session.WaitForOutput("session echoing", Timeout), session.Output);

        // A real change: new timeouts on every backend and a fifth frontend.
        File.WriteAllText(config, yaml
            .Replace("timeouts: { connect: 10s, server: 1m }", "timeouts: { connect: 5s, server: 2m }", StringComparison.Ordinal)
            .Replace("  backends:\n", "    - { name: extra_front, bind: \"*:10020\", backend: http_10000_back }\n  backends:\n", StringComparison.Ordinal));
        var reloadAt = sampler.Now;
        var reload = Shell.RunChecked(NetnsLab.DaemonPath, ["reload", "--socket", lab.ControlSocket(lab.Nodes[0])], check: false);
        output.WriteLine(reload.Output + reload.Error);
        Assert.Equal(0, reload.ExitCode);
        Assert.Contains("ok: configuration reloaded", reload.Output, StringComparison.Ordinal);
        Assert.True(daemons[0].WaitForOutput("reload applied: VRRP instances kept 1, restarted 0", Timeout), daemons[0].Output);

        // A few more echoes after the reload, then the session ends cleanly: it was never cut.
        var echoes = Pings(session);
        Assert.True(SpinWait.SpinUntil(() => Pings(session) >= echoes + 3 || session.HasExited, Timeout), session.Output);
        File.WriteAllText(stop, "");
        Assert.True(session.WaitForExit(Timeout));
        output.WriteLine(session.Output);
        Assert.Contains("session ok", session.Output, StringComparison.Ordinal);
        Assert.Equal([1], sampler.Current);
        Assert.True(sampler.LongestMultipleHolders(reloadAt) == TimeSpan.Zero, sampler.Describe());
        // The master went through the reload without a single transition.
        Assert.Equal(1, CountMatches(daemons[0].Output, "Backup -> Master"));
        var status = LabStatus.Get(lab, lab.Nodes[0]);
        Assert.Equal("Master", LabStatus.Instance(status).GetProperty("state").GetString());
        Assert.Contains(status.GetProperty("frontends").EnumerateArray(), f => f.GetProperty("name").GetString() == "extra_front");

        // Metrics follow the reloads: the new frontend has series, and once a second reload removes it again they go
        // (no frozen values on dashboards). Every checked server reports how long its last check took.
        var metrics = LabMetrics.Parse(LabMetrics.Scrape(lab.Nodes[0]));
        Assert.Contains("cloudcore_lb_frontend_connections_total{frontend=\"extra_front\"}", metrics.Keys);
        var checkDurations = metrics.Where(m => m.Key.StartsWith("cloudcore_lb_server_check_duration_seconds{", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(checkDurations);
        Assert.All(checkDurations, m => Assert.InRange(m.Value, 1e-6, 2.0));
        File.WriteAllText(config, yaml);
        Assert.Equal(0, Shell.RunChecked(NetnsLab.DaemonPath, ["reload", "--socket", lab.ControlSocket(lab.Nodes[0])], check: false).ExitCode);
        var after = LabMetrics.Scrape(lab.Nodes[0]);
        Assert.DoesNotContain("extra_front", after, StringComparison.Ordinal);
        Assert.Contains("cloudcore_lb_frontend_connections_total{frontend=\"", after, StringComparison.Ordinal);
    }

    [RootFact]
    public void ADaemonStartedUnderNohupStillReloadsOnSighup()
    {
        using var lab = NetnsLab.Create(1);
        var good = LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 });
        var config = lab.WriteFile("cloudcore-lb.yaml", good);
        // nohup execs the daemon with SIGHUP ignored, which the runtime would otherwise keep.
        var daemon = lab.Start(lab.Nodes[0], "cloudcore-lb@node1", "nohup",
            [NetnsLab.DaemonPath, "run", "--config", config, "--node", "node1", "--socket", lab.ControlSocket(lab.Nodes[0])], env: null);
        Assert.True(daemon.WaitForOutput("control socket listening", Timeout), daemon.Describe());

        File.WriteAllText(config, good.Replace("virtual_router_id: 167", "virtual_router_id: 300", StringComparison.Ordinal));
        daemon.Signal(1);
        Assert.True(daemon.WaitForOutput("reload requested (SIGHUP)", Timeout), daemon.Describe());
        Assert.True(daemon.WaitForOutput("reload rejected, the running configuration stays", Timeout), daemon.Describe());
        Assert.False(daemon.HasExited, daemon.Describe());
    }

    [RootFact]
    public void ABadReloadIsRejectedWithFileAndLineAndTheRunningConfigurationStays()
    {
        using var lab = NetnsLab.Create(1);
        var good = LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 });
        var config = lab.WriteFile("cloudcore-lb.yaml", good);
        using var sampler = new VipSampler(lab.Nodes);
        var daemon = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemon);

        File.WriteAllText(config, good.Replace("virtual_router_id: 167", "virtual_router_id: 300", StringComparison.Ordinal));
        var reload = Shell.RunChecked(NetnsLab.DaemonPath, ["reload", "--socket", lab.ControlSocket(lab.Nodes[0])], check: false);
        output.WriteLine(reload.Output);
        Assert.Equal(1, reload.ExitCode);
        Assert.Matches(@"error: .*cloudcore-lb\.yaml:\d+:\d+: vrrp\.instances\[0\]\.virtual_router_id: 300 is out of range 1\.\.255", reload.Output);
        Assert.True(daemon.WaitForOutput("reload rejected, the running configuration stays", Timeout));

        // SIGHUP takes the same path.
        daemon.Signal(1);
        Assert.True(SpinWait.SpinUntil(() => CountMatches(daemon.Output, "reload rejected") == 2, Timeout), daemon.Output);
        // Still serving after the rejected SIGHUP reload, the running configuration unchanged (SIGHUP's default
        // action would have ended the process before it could log the rejection).
        var status = LabStatus.Get(lab, lab.Nodes[0]);
        Assert.False(daemon.HasExited, "SIGHUP must not end the daemon");
        Assert.Equal([1], sampler.Current);
        Assert.Equal(167, LabStatus.Instance(status).GetProperty("virtual_router_id").GetInt32());
        Assert.Equal("Master", LabStatus.Instance(status).GetProperty("state").GetString());
    }

    [RootFact]
    public void StatusShowsTheInstanceAndNeverThePassword()
    {
        using var lab = NetnsLab.Create(1);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 }));
        using var sampler = new VipSampler(lab.Nodes);
        var daemon = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemon);
        var text = Shell.RunChecked(NetnsLab.DaemonPath, ["status", "--socket", lab.ControlSocket(lab.Nodes[0])], check: true).Output;
        output.WriteLine(text);
        Assert.Matches(@"CloudCore\s+Master\s+vrid 167 on eth0\s+priority 100 \(effective 100\)", text);
        var json = Shell.RunChecked(NetnsLab.DaemonPath, ["status", "--json", "--socket", lab.ControlSocket(lab.Nodes[0])], check: true).Output;
        Assert.DoesNotContain("1111", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1111", json, StringComparison.Ordinal);
    }

    private static int CountMatches(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    /// <summary>How many echoes the session has reported so far.</summary>
    private static int Pings(LabProcess session) => CountMatches(session.Output, "session echo ");
}
