using System.Text.Json;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>
/// Seamless upgrade (issue 12): the VIP holder is replaced by the binary on disk while edge sessions run through the
/// VIP; nothing may break, the VIP must never leave the holder, and a successor that fails leaves the old process
/// serving everything.
/// </summary>
public sealed class UpgradeTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99, ["node3"] = 98 };

    [RootFact]
    public void FiveUpgradesOfTheVipHolderUnderTwoThousandSessionsBreakNothingAndNeverMoveTheVip()
    {
        using var lab = NetnsLab.Create(3, withClient: true);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(Priorities) + LabConfigs.SeedProxy(lab.Nodes));
        LabConfigs.StartCloudCores(lab);
        using var sampler = new VipSampler(lab.Nodes);
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        LabStatus.WaitForServersUsable(lab, lab.Nodes[0]);

        var stop = Path.Combine(lab.Directory, "stop-sessions");
        var load = lab.Start(lab.Client!, "edge-sessions", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_sessions.py"),
            NetnsLab.Vip, "10010", "2000", stop, "2000000");
        Assert.True(load.WaitForOutput("ready sessions=2000", TimeSpan.FromSeconds(120)), load.Output);
        var since = sampler.Now;
        // Started together, a backup may win the start race for a moment; only what happens from here counts.
        var backupLogsFrom = daemons.Select(d => d.Output.Length).ToArray();
        var pids = new List<int> { Pid(lab, lab.Nodes[0]) };
        for (var i = 1; i <= 5; i++)
        {
            var upgrade = Shell.RunChecked(NetnsLab.DaemonPath, ["upgrade", "--socket", lab.ControlSocket(lab.Nodes[0])], check: false);
            output.WriteLine($"upgrade {i}: {upgrade.Output}{upgrade.Error}");
            Assert.Equal(0, upgrade.ExitCode);
            Assert.StartsWith("ok: upgraded to pid", upgrade.Output, StringComparison.Ordinal);
            var status = WaitForGeneration(lab, lab.Nodes[0], i + 1);
            pids.Add(status.RootElement.GetProperty("pid").GetInt32());
        }

        File.WriteAllText(stop, "");
        Assert.True(load.WaitForExit(TimeSpan.FromSeconds(60)), load.Output);
        output.WriteLine(load.Output);
        // Every generation logs into the first one's output: the hand-over lines and anything that went wrong.
        output.WriteLine(string.Join('\n', daemons[0].Output.Split('\n').Where(l => l.Contains("Upgrade", StringComparison.Ordinal)
            || l.Contains("Took over", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("warn:", StringComparison.Ordinal))));
        var summary = load.Output.Split('\n').Single(l => l.StartsWith("sessions=", StringComparison.Ordinal));
        Assert.Contains("sessions=2000 broken=0 ", summary, StringComparison.Ordinal);
        Assert.Contains("bulk_match=1", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("bulk_sent=0 ", summary, StringComparison.Ordinal);

        // Six different processes served in turn; the VIP never left node1 and never sat on two nodes.
        Assert.Equal(6, pids.Distinct().Count());
        Assert.Null(sampler.FirstSampleWithout(1, since));
        Assert.Equal(TimeSpan.Zero, sampler.LongestMultipleHolders(since));
        foreach (var backup in new[] { 1, 2 })
        {
            // No backup took over and none heard a release (priority 0): the master stayed master throughout.
            var log = daemons[backup].Output[backupLogsFrom[backup]..];
            Assert.DoesNotContain("Backup -> Master", log, StringComparison.Ordinal);
            Assert.DoesNotContain("priority 0", log, StringComparison.OrdinalIgnoreCase);
        }

        // The last process counts every upgrade.
        var metrics = LabMetrics.Scrape(lab.Nodes[0]);
        Assert.Contains("cloudcore_lb_upgrades_total 5", metrics, StringComparison.Ordinal);
        Assert.Contains("cloudcore_lb_process_generation 6", metrics, StringComparison.Ordinal);
    }

    [RootFact]
    public void AnUpgradeToABinaryThatDiesOrAConfigItRejectsIsRefusedAndTheOldProcessKeepsEverything()
    {
        using var lab = NetnsLab.Create(1, withClient: true);
        // The daemon runs from a copy of the build, so the test can replace "the binary on disk" under it.
        var daemonPath = RestampedBuild.Copy(Path.Combine(lab.Directory, "bin"));
        var good = LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 }) + LabConfigs.SeedProxy(lab.Nodes);
        var config = lab.WriteFile("cloudcore-lb.yaml", good);
        LabConfigs.StartCloudCores(lab);
        using var sampler = new VipSampler(lab.Nodes);
        var node = lab.Nodes[0];
        var daemon = lab.Start(node, "cloudcore-lb@node1", daemonPath, "run", "--config", config, "--node", node.Name, "--socket", lab.ControlSocket(node));
        Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        LabStatus.WaitForServersUsable(lab, node);
        var stop = Path.Combine(lab.Directory, "stop-sessions");
        var load = lab.Start(lab.Client!, "edge-sessions", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_sessions.py"),
            NetnsLab.Vip, "10010", "100", stop, "2000000");
        Assert.True(load.WaitForOutput("ready sessions=100", TimeSpan.FromSeconds(60)), load.Output);
        var since = sampler.Now;
        var pid = Pid(lab, node);

        // A configuration the new process rejects: it says why, the old one goes on.
        File.WriteAllText(config, good.Replace("virtual_router_id: 167", "virtual_router_id: 300", StringComparison.Ordinal));
        var refused = Shell.RunChecked(daemonPath, ["upgrade", "--socket", lab.ControlSocket(node)], check: false);
        output.WriteLine(refused.Output + refused.Error);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error: upgrade refused, this process goes on", refused.Output, StringComparison.Ordinal);
        Assert.Contains("virtual_router_id: 300 is out of range 1..255", refused.Output, StringComparison.Ordinal);
        File.WriteAllText(config, good);

        // A binary that dies at start.
        var broken = daemonPath + ".broken";
        File.WriteAllText(broken, "#!/bin/sh\necho 'cloudcore-lb: simulated broken build' >&2\nexit 3\n");
        File.SetUnixFileMode(broken, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Move(daemonPath, daemonPath + ".good");
        File.Move(broken, daemonPath);
        var died = Shell.RunChecked(daemonPath + ".good", ["upgrade", "--socket", lab.ControlSocket(node)], check: false);
        output.WriteLine(died.Output + died.Error);
        Assert.Equal(1, died.ExitCode);
        Assert.Contains("the new process exited with code 3 before taking over", died.Output, StringComparison.Ordinal);

        // Back to a good binary: the same old process upgrades fine, so nothing was left half-done.
        File.Move(daemonPath + ".good", daemonPath, overwrite: true);
        Assert.Equal(pid, Pid(lab, node));
        var upgraded = Shell.RunChecked(daemonPath, ["upgrade", "--socket", lab.ControlSocket(node)], check: false);
        output.WriteLine(upgraded.Output + upgraded.Error);
        Assert.Equal(0, upgraded.ExitCode);
        WaitForGeneration(lab, node, 2);

        File.WriteAllText(stop, "");
        Assert.True(load.WaitForExit(TimeSpan.FromSeconds(60)), load.Output);
        output.WriteLine(load.Output);
        Assert.Contains("sessions=100 broken=0 ", load.Output, StringComparison.Ordinal);
        Assert.Contains("bulk_match=1", load.Output, StringComparison.Ordinal);
        Assert.Null(sampler.FirstSampleWithout(1, since));
        Assert.Contains("cloudcore_lb_upgrades_failed_total 2", LabMetrics.Scrape(node), StringComparison.Ordinal);
        Assert.Contains("Upgrade failed, this process goes on", daemon.Output, StringComparison.Ordinal);
    }

    [RootFact]
    public void AnUpgradeToABinaryWithAnotherVersionKeepsSessionsAndTheVipAndCountsOnFromTheOldCounters()
    {
        using var lab = NetnsLab.Create(2, withClient: true);
        // The VIP holder runs from a copy of the build, so the test can put another version on disk under it.
        var daemonPath = RestampedBuild.Copy(Path.Combine(lab.Directory, "bin"));
        // --version prints the informational version, with the commit after a '+'; the daemon reports what is before.
        var current = Shell.Run(daemonPath, "--version").Trim().Split(' ')[^1].Split('+')[0];
        var next = string.Concat(current.Select(c => char.IsAsciiDigit(c) ? '9' : c));
        Assert.NotEqual(current, next);
        var staged = Path.Combine(lab.Directory, "cloudcore-lb.dll.next");
        RestampedBuild.WriteRestampedAssembly(staged, current, next);

        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }) + LabConfigs.SeedProxy(lab.Nodes));
        LabConfigs.StartCloudCores(lab);
        using var sampler = new VipSampler(lab.Nodes);
        var holder = lab.Nodes[0];
        var daemon = lab.Start(holder, "cloudcore-lb@node1", daemonPath, "run", "--config", config, "--node", holder.Name, "--socket", lab.ControlSocket(holder));
        Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        var backup = lab.StartDaemon(lab.Nodes[1], config);
        LabStatus.WaitFor(lab, lab.Nodes[1], s => LabStatus.Instance(s).GetProperty("state").GetString() == "Backup", "node2 backup");
        LabStatus.WaitForServersUsable(lab, holder);
        var stop = Path.Combine(lab.Directory, "stop-sessions");
        var load = lab.Start(lab.Client!, "edge-sessions", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_sessions.py"),
            NetnsLab.Vip, "10010", "50", stop, "500000");
        Assert.True(load.WaitForOutput("ready sessions=50", TimeSpan.FromSeconds(60)), load.Output);
        var since = sampler.Now;
        var backupLogFrom = backup.Output.Length;
        const string bytesIn = "cloudcore_lb_frontend_received_bytes_total{frontend=\"http_10000_front\"}";
        const string advertsSent = "cloudcore_lb_vrrp_adverts_sent_total{instance=\"CloudCore\"}";
        // The bulk stream has moved bytes through the old process, and it has advertised: there is something to carry.
        LabMetrics.WaitFor(holder, bytesIn, 100_000, TimeSpan.FromSeconds(30));
        var before = Counters(LabMetrics.Scrape(holder));
        Assert.Equal(51, before["cloudcore_lb_frontend_connections_total{frontend=\"http_10000_front\"}"]);
        Assert.True(before[advertsSent] > 0);

        // What a package upgrade does: the new files replace the old ones under the running process.
        File.Move(staged, Path.Combine(Path.GetDirectoryName(daemonPath)!, "cloudcore-lb.dll"), overwrite: true);
        Assert.StartsWith(next, Shell.Run(daemonPath, "--version").Trim().Split(' ')[^1], StringComparison.Ordinal);
        var upgrade = Shell.RunChecked(daemonPath, ["upgrade", "--socket", lab.ControlSocket(holder)], check: false);
        output.WriteLine(upgrade.Output + upgrade.Error);
        Assert.Equal(0, upgrade.ExitCode);
        Assert.Contains($"({next}); 51 sessions handed over", upgrade.Output, StringComparison.Ordinal);
        var status = WaitForGeneration(lab, holder, 2);
        Assert.Equal(next, status.RootElement.GetProperty("version").GetString());

        // The new process's metrics go on from the old one's: no counter went back, not one series vanished.
        var exposition = WaitForMetrics(holder);
        Assert.Contains($"cloudcore_lb_build_info{{version=\"{next}\"}} 1", exposition, StringComparison.Ordinal);
        var after = Counters(exposition);
        var fell = before.Where(b => after.GetValueOrDefault(b.Key, -1) < b.Value).Select(b => $"{b.Key}: {b.Value} -> {after.GetValueOrDefault(b.Key, -1)}").ToArray();
        Assert.True(fell.Length == 0, "counters that went back or vanished:\n" + string.Join('\n', fell));
        Assert.Equal(51, after["cloudcore_lb_frontend_connections_total{frontend=\"http_10000_front\"}"]);
        Assert.Equal(51, LabMetrics.Parse(exposition)["cloudcore_lb_frontend_active_connections{frontend=\"http_10000_front\"}"]);
        // The master stayed master across the upgrade: the successor's resume is no transition.
        const string transitions = "cloudcore_lb_vrrp_transitions_total{";
        Assert.Equal(before.Where(b => b.Key.StartsWith(transitions, StringComparison.Ordinal)).Sum(b => b.Value),
            after.Where(a => a.Key.StartsWith(transitions, StringComparison.Ordinal)).Sum(a => a.Value));
        // ... and keeps counting: the sessions' bytes and the adverts now pass through the new process.
        LabMetrics.WaitFor(holder, bytesIn, after[bytesIn] + 100_000, TimeSpan.FromSeconds(30));
        LabMetrics.WaitFor(holder, advertsSent, after[advertsSent] + 2, TimeSpan.FromSeconds(30));

        File.WriteAllText(stop, "");
        Assert.True(load.WaitForExit(TimeSpan.FromSeconds(60)), load.Output);
        output.WriteLine(load.Output);
        Assert.Contains("sessions=50 broken=0 ", load.Output, StringComparison.Ordinal);
        Assert.Contains("bulk_match=1", load.Output, StringComparison.Ordinal);
        Assert.Null(sampler.FirstSampleWithout(1, since));
        Assert.Equal(TimeSpan.Zero, sampler.LongestMultipleHolders(since));
        var backupLog = backup.Output[backupLogFrom..];
        Assert.DoesNotContain("Backup -> Master", backupLog, StringComparison.Ordinal);
        Assert.DoesNotContain("priority 0", backupLog, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Upgrade", daemon.Output, StringComparison.Ordinal);
    }

    /// <summary>Every cloudcore_lb counter sample of an exposition.</summary>
    private static Dictionary<string, double> Counters(string exposition) =>
        LabMetrics.Parse(exposition).Where(s => s.Key.StartsWith("cloudcore_lb_", StringComparison.Ordinal) && s.Key.Split('{')[0].EndsWith("_total", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    /// <summary>The successor binds the metrics port once the old process let go of it: scrapes until it answers.</summary>
    private static string WaitForMetrics(LabNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var exposition = LabMetrics.TryScrape(node);
            if (exposition.Contains("cloudcore_lb_process_generation 2", StringComparison.Ordinal))
            {
                return exposition;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{node.Name}: the new process's metrics never answered");
            Thread.Sleep(100);
        }
    }

    private static JsonDocument Status(NetnsLab lab, LabNode node) =>
        JsonDocument.Parse(Shell.Run(NetnsLab.DaemonPath, "status", "--json", "--socket", lab.ControlSocket(node)));

    private static int Pid(NetnsLab lab, LabNode node) => Status(lab, node).RootElement.GetProperty("pid").GetInt32();

    /// <summary>Waits until the node's daemon answers with <paramref name="generation"/> (its control socket moves to the successor).</summary>
    private static JsonDocument WaitForGeneration(NetnsLab lab, LabNode node, int generation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var answer = Shell.RunChecked(NetnsLab.DaemonPath, ["status", "--json", "--socket", lab.ControlSocket(node)], check: false);
            if (answer.ExitCode == 0)
            {
                var status = JsonDocument.Parse(answer.Output);
                if (status.RootElement.GetProperty("generation").GetInt32() == generation)
                {
                    return status;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"generation {generation} never answered: {answer.Output}{answer.Error}");
            Thread.Sleep(50);
        }
    }
}
