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
        var bin = Path.Combine(lab.Directory, "bin");
        CopyDirectory(AppContext.BaseDirectory, bin);
        var daemonPath = Path.Combine(bin, "cloudcore-lb");
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


    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
