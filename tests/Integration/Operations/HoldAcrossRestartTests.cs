using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>
/// A node taken out for maintenance (<c>vrrp hold</c>, or a handover) stays out when its daemon restarts, crashes or
/// the node reboots, until <c>vrrp release</c>: the hold is kept in the unit's state directory (<c>STATE_DIRECTORY</c>).
/// </summary>
public sealed class HoldAcrossRestartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [RootFact]
    public void AHeldNodeRestartsHeld_KeepsOffTheVipPastItsMasterDownInterval_AndTakesItBackOnRelease()
    {
        using var lab = NetnsLab.Create(2);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }));
        var state = Path.Combine(lab.Directory, "node1-state");
        Directory.CreateDirectory(state);
        var env = new Dictionary<string, string> { ["STATE_DIRECTORY"] = state };
        using var sampler = new VipSampler(lab.Nodes);
        var node1 = StartNode1(lab, config, env);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, node1);
        var node2 = lab.StartDaemon(lab.Nodes[1], config);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 2);

        Assert.Contains("ok: CloudCore held", Shell.Run(NetnsLab.DaemonPath, "vrrp", "hold", "--socket", lab.ControlSocket(lab.Nodes[0])), StringComparison.Ordinal);
        Assert.Equal(["CloudCore"], File.ReadAllLines(Path.Combine(state, "held")));
        sampler.RequireSoleHolder(2, sampler.Now, Timeout, node1, node2);

        // A restart (here SIGTERM and start; a crash or a reboot read the same file): held from the first moment.
        node1.Signal(15);
        Assert.True(node1.WaitForExit(Timeout), node1.Describe());
        var restarted = sampler.Now;
        node1 = StartNode1(lab, config, env);
        Assert.True(node1.WaitForOutput("held at priority 1 since before this start", Timeout), node1.Describe());
        AssertStaysHeldOffTheVip(lab, sampler, restarted);

        Assert.Contains("ok: CloudCore released", Shell.Run(NetnsLab.DaemonPath, "vrrp", "release", "--socket", lab.ControlSocket(lab.Nodes[0])), StringComparison.Ordinal);
        Assert.Empty(File.ReadAllLines(Path.Combine(state, "held")));
        sampler.RequireSoleHolder(1, sampler.Now, Timeout, node1, node2);
    }

    [RootFact]
    public void AHeldNodeKilledWithSigkillIsRecoveredByItsServiceManagerStillHeld_AndStaysOffTheVip()
    {
        using var lab = NetnsLab.Create(2);
        // Crash recovery on: the restarted process resumes through the takeover path, from the crash journal, which
        // knows nothing of a hold; the state directory's file does.
        var config = lab.WriteFile("cloudcore-lb.yaml",
            LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }) + "crash_recovery:\n  session_age: 500ms\n");
        var state = Path.Combine(lab.Directory, "node1-state");
        Directory.CreateDirectory(state);
        using var sampler = new VipSampler(lab.Nodes);
        var supervisorState = Path.Combine(lab.Directory, "supervisor.json");
        var supervised = CrashRecoveryTests.StartSupervised(lab, config, supervisorState, restartSeconds: 0.2,
            new Dictionary<string, string> { ["STATE_DIRECTORY"] = state });
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, supervised);
        var node2 = lab.StartDaemon(lab.Nodes[1], config);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 2);

        Assert.Contains("ok: CloudCore held", Shell.Run(NetnsLab.DaemonPath, "vrrp", "hold", "--socket", lab.ControlSocket(lab.Nodes[0])), StringComparison.Ordinal);
        sampler.RequireSoleHolder(2, sampler.Now, Timeout, supervised, node2);
        // A backup hearing node2: the journal no longer has node1 as a master that could resume.
        LabStatus.WaitForBackupOf(lab, lab.Nodes[0], lab.Nodes[1], adverts: 2);

        var logFrom = supervised.Output.Length;
        var killed = sampler.Now;
        Shell.Run("kill", "-9", CrashRecoveryTests.MainPid(supervisorState).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(supervised.WaitForOutput("Recovered after a crash", Timeout), supervised.Describe());
        Assert.True(supervised.WaitForOutput("held at priority 1 since before this start", Timeout), supervised.Describe());
        var recoveredLog = supervised.Output[logFrom..];
        Assert.Contains("Recovered after a crash", recoveredLog, StringComparison.Ordinal);
        Assert.Contains("held at priority 1 since before this start", recoveredLog, StringComparison.Ordinal);
        AssertStaysHeldOffTheVip(lab, sampler, killed);

        Assert.Contains("ok: CloudCore released", Shell.Run(NetnsLab.DaemonPath, "vrrp", "release", "--socket", lab.ControlSocket(lab.Nodes[0])), StringComparison.Ordinal);
        sampler.RequireSoleHolder(1, sampler.Now, Timeout, supervised, node2);
    }

    /// <summary>
    /// node1 is a held backup (priority 1) and stays off the VIP for five of node2's adverts: longer than its
    /// master-down interval at its configured priority (3.6 s), after which an unheld node1 would have preempted.
    /// </summary>
    private static void AssertStaysHeldOffTheVip(NetnsLab lab, VipSampler sampler, TimeSpan since)
    {
        var instance = LabStatus.Instance(LabStatus.WaitFor(lab, lab.Nodes[0], s => LabStatus.Instance(s).GetProperty("state").GetString() == "Backup", "node1 in Backup"));
        Assert.True(instance.GetProperty("held").GetBoolean());
        Assert.Equal(1, instance.GetProperty("effective_priority").GetInt32());
        LabStatus.WaitForBackupOf(lab, lab.Nodes[0], lab.Nodes[1], adverts: 5);
        Assert.Null(sampler.WaitForHolder(1, since, TimeSpan.Zero));
        Assert.Equal([2], sampler.Current);
    }

    private static LabProcess StartNode1(NetnsLab lab, string config, Dictionary<string, string> env) =>
        lab.Start(lab.Nodes[0], "cloudcore-lb@node1", NetnsLab.DaemonPath,
            ["run", "--config", config, "--node", "node1", "--socket", lab.ControlSocket(lab.Nodes[0])], env);
}
