using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// Three cloudcore-lb nodes at priority 100/99/98 (the seed's instance) with the VIP timeline and a capture of the
/// segment: the starting point of every VRRP fault. <see cref="Settle"/> waits until node1 alone holds the VIP and both
/// backups follow it, so the fault always hits a settled master.
/// </summary>
internal sealed class VrrpFaultLab : IDisposable
{
    public static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99, ["node3"] = 98 };
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private VrrpFaultLab(NetnsLab lab, LabProcess[] daemons, VipSampler sampler, SegmentCapture capture)
    {
        Lab = lab;
        Daemons = daemons;
        Sampler = sampler;
        Capture = capture;
    }

    public NetnsLab Lab { get; }

    public LabProcess[] Daemons { get; }

    public VipSampler Sampler { get; }

    public SegmentCapture Capture { get; }

    public IReadOnlyList<LabNode> Nodes => Lab.Nodes;

    /// <summary>Builds the lab and starts a daemon on every node (node1 first, so it wins the start).</summary>
    public static VrrpFaultLab Start(string extra = "", Func<NetnsLab, LabNode, string, LabProcess>? start = null)
    {
        var lab = NetnsLab.Create(3);
        VipSampler? sampler = null;
        try
        {
            sampler = new VipSampler(lab.Nodes);
            var capture = new SegmentCapture(lab);
            var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(Priorities, extra: extra));
            start ??= static (l, n, c) => l.StartDaemon(n, c);
            var first = start(lab, lab.Nodes[0], config);
            sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
            var daemons = new[] { first, start(lab, lab.Nodes[1], config), start(lab, lab.Nodes[2], config) };
            return new VrrpFaultLab(lab, daemons, sampler, capture);
        }
        catch
        {
            sampler?.Dispose();
            lab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The same lab with Debian's keepalived on every node running the seed's keepalived.conf (MASTER 100, BACKUP 99,
    /// BACKUP 98): the same fault against what cloudcore-lb replaces. keepalived has no status to wait on, so it is
    /// settled once node1 alone holds the VIP and has sent <see cref="KeepalivedSettleAdverts"/> adverts after the last
    /// start, longer than a backup's master-down interval.
    /// </summary>
    public static VrrpFaultLab StartKeepalived()
    {
        var lab = NetnsLab.Create(3);
        VipSampler? sampler = null;
        try
        {
            sampler = new VipSampler(lab.Nodes);
            var capture = new SegmentCapture(lab);
            var script = LabConfigs.HealthyScript(lab);
            var daemons = new LabProcess[3];
            foreach (var (node, i) in lab.Nodes.Select((n, i) => (n, i)))
            {
                var conf = lab.WriteFile($"keepalived-{node.Name}.conf",
                    LabConfigs.SeedKeepalived(i == 0 ? "MASTER" : "BACKUP", 100 - i, script, $"lb0{i + 1}"));
                daemons[i] = lab.StartKeepalived(node, conf);
                if (i == 0)
                {
                    sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemons[0]);
                }
            }

            var started = DateTime.Now;
            var deadline = DateTime.UtcNow + Timeout;
            while (capture.AdvertsSent(1, started).Count < KeepalivedSettleAdverts)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new Xunit.Sdk.XunitException($"keepalived on node1 did not advertise:\n{string.Join('\n', daemons.Select(d => d.Describe()))}");
                }

                Thread.Sleep(100);
            }

            return new VrrpFaultLab(lab, daemons, sampler, capture);
        }
        catch
        {
            sampler?.Dispose();
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Adverts keepalived's master sends after the backups started before the lab counts as settled.</summary>
    public const int KeepalivedSettleAdverts = 5;

    /// <summary>Waits until node1 alone holds the VIP and both backups follow it, having accepted two of its adverts.</summary>
    public void Settle()
    {
        Sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, Daemons);
        LabStatus.WaitForBackupOf(Lab, Nodes[1], Nodes[0], adverts: 2);
        LabStatus.WaitForBackupOf(Lab, Nodes[2], Nodes[0], adverts: 2);
    }

    /// <summary>Waits until the backups have accepted <paramref name="more"/> further adverts from <paramref name="master"/>: a settled end state.</summary>
    public void WaitForFollowers(LabNode master, int more)
    {
        foreach (var node in Nodes.Where(n => n != master))
        {
            var count = LabStatus.WaitForBackupOf(Lab, node, master, adverts: 1).GetProperty("adverts_received").GetInt64();
            LabStatus.WaitForBackupOf(Lab, node, master, adverts: (int)count + more);
        }
    }

    /// <summary>One holder again within an advert interval plus the loser's skew time, and the scheduling margin.</summary>
    public static readonly TimeSpan HealBound = VrrpTiming.AdvertInterval + VrrpTiming.Skew(99) + VrrpTiming.Margin;

    /// <summary>
    /// After a fault that left node2 master beside node1 healed at <paramref name="healAt"/>: node2 steps down on a
    /// higher-priority advert, node1 alone holds the VIP within <see cref="HealBound"/> and keeps it alone, both
    /// backups follow it again and node3 made no transition after the heal. Returns when node1 became the sole
    /// holder (sampler time) and when node2 stepped down.
    /// </summary>
    public (TimeSpan Sole, DateTime Yielded) AssertHealed(DateTime healAt)
    {
        var heal = Sampler.FromLocal(healAt);
        var yielded = DaemonLog.WaitFor(Daemons[1], "Master -> Backup (HigherPriorityAdvert", healAt, Timeout);
        var sole = Sampler.RequireSoleHolder(1, heal, Timeout, Daemons);
        WaitForFollowers(Nodes[0], 3);
        var node3 = VrrpTransitions.Since(Daemons[2], healAt);
        Assert.True(node3.Count == 0, $"node3 changed state after the heal: {VrrpTransitions.Describe(node3)}");
        Assert.True(sole - heal <= HealBound, $"one holder only {(sole - heal).TotalMilliseconds:F0} ms after the heal\n{Describe()}");
        Assert.True(Sampler.LongestMultipleHolders(sole) == TimeSpan.Zero, Sampler.Describe());
        Assert.Equal([1], Sampler.Current);
        return (sole, yielded);
    }

    /// <summary>Every daemon's output and the VIP timeline, for failure messages.</summary>
    public string Describe() => $"{Sampler.Describe()}\n{string.Join('\n', Daemons.Select(d => d.Describe()))}";

    public void Dispose()
    {
        Sampler.Dispose();
        Lab.Dispose();
    }
}
