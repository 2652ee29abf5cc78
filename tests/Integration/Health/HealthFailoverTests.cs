using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Health;

/// <summary>
/// Stopping CloudCore on the master (issue 4): with a native listener check the VIP moves in under a second; with
/// the seed's script settings it moves as keepalived's does; and edge connections through the VIP never fail,
/// because every node's proxy routes around the dead CloudCore.
/// </summary>
public sealed class HealthFailoverTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99, ["node3"] = 98 };
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SeedScriptInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What three runs of the check script may add to their intervals: a shell and <c>ss</c> started per run, which on a
    /// loaded machine takes hundreds of milliseconds, on top of the timer's <see cref="VrrpTiming.Margin"/>.
    /// </summary>
    private static readonly TimeSpan ScriptMargin = VrrpTiming.Margin + TimeSpan.FromSeconds(1.5);

    [RootFact]
    public void NativeListenerCheckAt200msFaultsTheMasterWithinAnIntervalAndTheBackupTakesOverAfterItsSkewTime()
    {
        var track = """
                  track:
                    - { check: cloudcore, weight: 0 }

            """;
        var run = Run(
            """
            checks:
              cloudcore: { type: listener, port: 10000, interval: 200ms }

            """, track);

        // The check's next run after the kill fails (fall 1), and weight 0 makes that a fault: the master releases the
        // router with a priority-0 advert, so node2 takes over after its skew time instead of the master-down interval.
        var fault = DaemonLog.WaitFor(run.Daemons[0], "Master -> Fault (TrackingFault", run.KilledAt, Timeout);
        var master = VrrpTiming.AssertTakeoverAfterRelease(run.Daemons[1], 99, run.KilledAt, Timeout);
        output.WriteLine($"listener check, weight 0: node1 in fault {(fault - run.KilledAt).TotalMilliseconds:F0} ms after CloudCore was killed, node2 master after {(master - run.KilledAt).TotalMilliseconds:F0} ms, VIP seen on node2 after {run.Failover.TotalMilliseconds:F0} ms; client {run.Client}");
        Assert.True(fault - run.KilledAt <= CheckInterval + VrrpTiming.Margin,
            $"node1 went to fault {(fault - run.KilledAt).TotalMilliseconds:F0} ms after CloudCore was killed; the check interval is {CheckInterval.TotalMilliseconds:F0} ms:\n{run.Daemons[0].Output}");
    }

    [RootFact]
    public void SeedScriptSettingsMoveTheVipLikeKeepalivedWhileClientsKeepConnecting()
    {
        // The seed's health_check.sh asks whether anything listens on 10000; this one asks the kernel by exact port.
        var run = Run(
            """
            checks:
              health_check: { type: exec, script: "{SCRIPT}", interval: 2s, weight: -5, fall: 3, rise: 5 }

            """, """
                  track:
                    - { check: health_check }

            """);

        // keepalived's window for these settings (docs/design/vrrp.md §8): three failed runs 2 s apart (the first
        // within 2 s of the kill), then node1 advertises 95, which node2 (99, preempting) ignores, so node2 takes over
        // when its master-down timer runs out after node1's last advert at 100.
        var down = DaemonLog.WaitFor(run.Daemons[0], "Check health_check is DOWN after 3 consecutive failures", run.KilledAt, Timeout);
        var master = VrrpTiming.AssertTakeoverWithinMasterDown(run.Daemons[1], 99, down, Timeout);
        output.WriteLine($"seed script settings: check down {(down - run.KilledAt).TotalMilliseconds:F0} ms after CloudCore was killed, node2 master after {(master - run.KilledAt).TotalMilliseconds:F0} ms, VIP seen on node2 after {run.Failover.TotalMilliseconds:F0} ms (keepalived: about 8.5 s); client {run.Client}");
        Assert.True(down - run.KilledAt >= (2 * SeedScriptInterval) - VrrpTiming.Early && down - run.KilledAt <= (3 * SeedScriptInterval) + ScriptMargin,
            $"the check went down {(down - run.KilledAt).TotalMilliseconds:F0} ms after CloudCore was killed; three runs 2 s apart take 4-6 s:\n{run.Daemons[0].Output}");
        // Not before: node2 accepted node1's adverts at 100 until the check went down.
        Assert.True(master - down >= VrrpTiming.MasterDown(99) - VrrpTiming.AdvertInterval - VrrpTiming.Early,
            $"node2 took over {(master - down).TotalMilliseconds:F0} ms after node1's check went down, before its master-down interval could run out:\n{run.Daemons[1].Output}");
    }

    private sealed record FailoverRun(DateTime KilledAt, TimeSpan Failover, string Client, LabProcess[] Daemons);

    private FailoverRun Run(string checks, string track)
    {
        using var lab = NetnsLab.Create(3, withClient: true);
        var script = lab.WriteFile("health_check.sh", "#!/bin/sh\n[ -n \"$(ss -Hltn 'sport = :10000')\" ]\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var yaml = checks.Replace("{SCRIPT}", script, StringComparison.Ordinal)
            + LabConfigs.Daemon(Priorities, extra: track)
            + LabConfigs.SeedProxy(lab.Nodes);
        var config = lab.WriteFile("cloudcore-lb.yaml", yaml);
        var cloudcores = lab.Nodes.Select(n => LabConfigs.StartCloudCore(lab, n)).ToArray();
        // A Python start on a loaded machine: no protocol bounds it, so the bound only catches a stand-in that hangs.
        Assert.All(cloudcores, c => Assert.True(c.WaitForOutput("listening", Timeout), c.Output));
        var daemons = lab.Nodes.Select(n => lab.StartDaemon(n, config)).ToArray();
        using var sampler = new VipSampler(lab.Nodes);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons);
        // Servers start down until their first check passes: every proxy sees every CloudCore up, and both backups
        // follow node1 (started together, node2 may hold the VIP for a moment first).
        foreach (var node in lab.Nodes)
        {
            LabStatus.WaitForServersUp(lab, node);
        }

        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0]);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[2], lab.Nodes[0]);

        var stop = Path.Combine(lab.Directory, "client.stop");
        var client = LabConfigs.StartClient(lab, 10010, TimeSpan.FromMinutes(5), stopFile: stop);
        Assert.True(client.WaitForOutput("client started", Timeout), client.Output);
        var clientStart = sampler.FromMonotonic(long.Parse(client.Output.Split('\n')[0].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture));
        // Clients are connecting through node1's proxy before CloudCore dies there.
        WaitForConnections(lab, lab.Nodes[0], 10);

        var killedAt = cloudcores[0].Signal(9);
        var killed = sampler.FromLocal(killedAt);
        var moved = sampler.WaitForHolder(2, killed, Timeout)
            ?? throw new Xunit.Sdk.XunitException($"node2 never took the VIP:\n{sampler.Describe()}\n{daemons[1].Output}");
        // Clients keep connecting through the new master (an attempt caught in the move may stall for its 10 s
        // timeout first), then the client stops.
        WaitForConnections(lab, lab.Nodes[1], 20);
        File.WriteAllText(stop, "");
        var (ok, _, connectFail, line) = LabConfigs.ClientSummary(client);
        output.WriteLine(sampler.Describe());
        foreach (var daemon in daemons)
        {
            output.WriteLine(daemon.Output);
        }

        // Every new connection succeeds. Sessions can only be cut inside the failover window: those the old master's
        // proxy accepted just before it released the VIP (their packets then reach a node with no state for them;
        // inherent to any VIP move). Nothing fails before the stop or after the new master took over. The client
        // stamps attempts from its own start, which the VIP timeline places exactly (however late the test read it).
        Assert.True(connectFail == 0, $"{connectFail} client connects failed: {line}\n{daemons[0].Output}");
        var windowStart = killed - clientStart - TimeSpan.FromMilliseconds(100);
        var windowEnd = moved - clientStart + TimeSpan.FromMilliseconds(200);
        foreach (var failure in LabConfigs.ClientFailureTimes(line))
        {
            Assert.True(failure >= windowStart && failure <= windowEnd,
                $"a session failed at {failure.TotalSeconds:F2} s, outside the failover window {windowStart.TotalSeconds:F2}-{windowEnd.TotalSeconds:F2} s: {line}");
        }

        Assert.True(ok >= 25, line);
        return new FailoverRun(killedAt, moved - killed, line, daemons);
    }

    /// <summary>Waits until <paramref name="count"/> client connections have come through the node's CloudCore frontend.</summary>
    private static void WaitForConnections(NetnsLab lab, LabNode node, int count) =>
        LabStatus.WaitFor(lab, node, s => s.GetProperty("frontends").EnumerateArray()
            .Any(f => f.GetProperty("name").GetString() == "http_10000_front" && f.GetProperty("total").GetInt64() >= count), $"{count} client connections through {node.Name}", Timeout);
}
