using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// Our daemon in VRRPv3 mode next to keepalived 2.2 with <c>vrrp_version 3</c> (issue 13): every failover and
/// preemption direction over IPv4 and over IPv6, no drops on our side, byte-identical adverts, and a sub-second
/// failover between two of ours.
/// </summary>
public sealed class KeepalivedV3InteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// What scheduling may add on this loaded two-core machine to a timer armed for a few hundred milliseconds. It is
    /// below the 552 ms a v2-style skew (a fixed 1 s base) would add at 100 ms, so a daemon that got the v3 formula wrong
    /// still fails.
    /// </summary>
    private static readonly TimeSpan FastMargin = TimeSpan.FromMilliseconds(250);

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void KeepalivedV3MasterAndOurBackupHandOverBothWays(bool ipv6)
    {
        using var lab = NetnsLab.Create(2);
        var (kaConf, ourConf, vip) = Configure(lab, ipv6, LabConfigsV3.Keepalived("MASTER", 100, OneSecond), LabIPv6.Keepalived("MASTER", 100, OneSecond), new() { ["node2"] = 99 });
        using var sampler = new VipSampler(lab.Nodes, vip);
        var masterAddress = ipv6 ? LabIPv6.LinkLocal(lab.Nodes[0]) : null;

        var keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, keepalived);
        var ours = lab.StartDaemon(lab.Nodes[1], ourConf);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 4, masterAddress: masterAddress);
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe());

        // keepalived stops cleanly: its priority-0 advert makes ours master after the v3 skew time.
        var (failover, _, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => keepalived.Signal(15), Timeout, OneSecond);
        var heard = DaemonLog.WaitFor(ours, "released the router (priority 0)", stoppedAt, Timeout);
        var master = DaemonLog.WaitFor(ours, "Backup -> Master (MasterReleased", stoppedAt, Timeout);
        Assert.True(master - heard <= LabConfigsV3.Skew(99, OneSecond) + VrrpTiming.Margin, ours.Output);
        output.WriteLine($"keepalived v3 {Family(ipv6)} SIGTERM -> ours master in {(master - stoppedAt).TotalMilliseconds:F0} ms (VIP seen after {failover.TotalMilliseconds:F0} ms)");

        // keepalived comes back at 100 and preempts ours.
        var restart = sampler.Now;
        keepalived = lab.StartKeepalived(lab.Nodes[0], kaConf);
        sampler.RequireSoleHolder(1, restart, Timeout, keepalived, ours);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], masterAddress: masterAddress);

        // keepalived dies hard: ours takes over within its master-down interval.
        var (down, _, killedAt) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), Timeout, OneSecond);
        var downMaster = DaemonLog.WaitFor(ours, "Backup -> Master (", killedAt, Timeout);
        Assert.True(downMaster - killedAt <= LabConfigsV3.MasterDown(99, OneSecond) + VrrpTiming.Margin, ours.Output);
        output.WriteLine($"keepalived v3 {Family(ipv6)} kill -9 -> ours master in {(downMaster - killedAt).TotalMilliseconds:F0} ms (VIP seen after {down.TotalMilliseconds:F0} ms)");

        ours.Signal(15);
        Assert.True(ours.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(ours.Output);
    }

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void OurV3MasterAndKeepalivedBackupHandOverBothWays(bool ipv6)
    {
        using var lab = NetnsLab.Create(2);
        var (kaConf, ourConf, vip) = Configure(lab, ipv6, LabConfigsV3.Keepalived("BACKUP", 99, OneSecond, "lb02"), LabIPv6.Keepalived("BACKUP", 99, OneSecond, "lb02"), new() { ["node1"] = 100 });
        using var sampler = new VipSampler(lab.Nodes, vip);

        var ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, ours);
        var keepalived = lab.StartKeepalived(lab.Nodes[1], kaConf);
        Assert.True(keepalived.WaitForOutput("Entering BACKUP STATE", Timeout), keepalived.Output);
        var sent = LabStatus.Instance(LabStatus.Get(lab, lab.Nodes[0])).GetProperty("adverts_sent").GetInt64();
        LabStatus.WaitFor(lab, lab.Nodes[0], s => LabStatus.Instance(s).GetProperty("adverts_sent").GetInt64() >= sent + 5, "five more adverts sent");
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe() + keepalived.Output);

        // Ours stops cleanly: keepalived takes over on our priority-0 advert, well before its master-down interval.
        var (failover, _, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(15), Timeout, OneSecond);
        var released = DaemonLog.WaitFor(ours, "releasing the router with a priority-0 advert", stoppedAt, Timeout);
        var afterRelease = sampler.FromLocal(stoppedAt) + failover - sampler.FromLocal(released);
        output.WriteLine($"ours v3 {Family(ipv6)} SIGTERM -> keepalived master in {failover.TotalMilliseconds:F0} ms, {afterRelease.TotalMilliseconds:F0} ms after our priority-0 advert");
        Assert.True(afterRelease <= LabConfigsV3.Skew(99, OneSecond) + VrrpTiming.Margin, sampler.Describe() + keepalived.Output);
        DaemonLog.AssertNoDrops(ours.Output);

        // Ours comes back at 100 and preempts keepalived, then dies hard: keepalived takes over in its master-down interval.
        var restart = sampler.Now;
        ours = lab.StartDaemon(lab.Nodes[0], ourConf);
        sampler.RequireSoleHolder(1, restart, Timeout, ours, keepalived);
        var (down, _, _) = FailoverTimeline.Measure(sampler, 2, () => ours.Signal(9), Timeout, OneSecond);
        output.WriteLine($"ours v3 {Family(ipv6)} kill -9 -> keepalived master in {down.TotalMilliseconds:F0} ms");
        Assert.True(down <= LabConfigsV3.MasterDown(99, OneSecond) + VrrpTiming.Margin, sampler.Describe());
        Assert.DoesNotContain("ignoring received advertisement", keepalived.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bad checksum", keepalived.Output, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public void OurV3AdvertIsByteForByteKeepalivedsForTheSameInstance()
    {
        using var lab = NetnsLab.Create(2);
        var pcap = Path.Combine(lab.Directory, "vrrp3.pcap");
        var tcpdump = lab.Start(lab.Nodes[1], "tcpdump", "tcpdump", "-i", "eth0", "-U", "-n", "-w", pcap, "ip proto 112");
        Assert.True(tcpdump.WaitForOutput("listening on eth0", Timeout), tcpdump.Output);

        // The same instance on the same node in turn: keepalived master at 100, then ours master at 100.
        var keepalived = lab.StartKeepalived(lab.Nodes[0], lab.WriteFile("keepalived.conf", LabConfigsV3.Keepalived("MASTER", 100, Fast)));
        using (var sampler = new VipSampler([lab.Nodes[0]]))
        {
            sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, keepalived);
        }

        lab.KillAll(lab.Nodes[0]);
        Assert.True(keepalived.WaitForExit(Timeout));
        Shell.TryRun("ip", ["-n", lab.Nodes[0].Netns, "addr", "del", $"{NetnsLab.Vip}/24", "dev", "eth0"]);
        var ours = lab.StartDaemon(lab.Nodes[0], lab.WriteFile("cloudcore-lb.yaml", LabConfigsV3.Daemon(new Dictionary<string, int> { ["node1"] = 100 }, Fast)));
        using (var sampler = new VipSampler([lab.Nodes[0]]))
        {
            sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, ours);
        }

        LabMetrics.WaitFor(lab.Nodes[0], "cloudcore_lb_vrrp_adverts_sent_total{instance=\"CloudCore\"}", 5, Timeout);
        ours.Signal(15);
        Assert.True(ours.WaitForExit(Timeout));
        tcpdump.Signal(2);
        Assert.True(tcpdump.WaitForExit(Timeout), tcpdump.Output);

        var packets = ReadVrrp(pcap).Where(p => p.Source.Equals(IPAddress.Parse(lab.Nodes[0].Address)) && p.Vrrp[2] == 100).ToList();
        var split = packets.FindIndex(p => p.At >= DaemonStart(ours));
        Assert.True(split > 0 && split < packets.Count, $"expected keepalived's adverts, then ours; {packets.Count} captured, ours from index {split}");
        var theirs = packets[split - 1];
        var mine = packets[split];
        output.WriteLine($"keepalived: ttl {theirs.Ttl} tos 0x{theirs.Tos:x2} {Convert.ToHexString(theirs.Vrrp)}");
        output.WriteLine($"ours:       ttl {mine.Ttl} tos 0x{mine.Tos:x2} {Convert.ToHexString(mine.Vrrp)}");
        Assert.Equal(Convert.ToHexString(theirs.Vrrp), Convert.ToHexString(mine.Vrrp));
        Assert.Equal(theirs.Ttl, mine.Ttl);
        Assert.Equal(theirs.Tos, mine.Tos);
        Assert.Equal(theirs.Destination, mine.Destination);
        Assert.Equal(0x31, mine.Vrrp[0]);
        Assert.Equal(10, BinaryPrimitives.ReadUInt16BigEndian(mine.Vrrp.AsSpan(4)) & 0x0FFF);
    }

    [RootFact]
    public void At100MsAKilledMasterIsReplacedWithinThreeIntervalsPlusSkew()
    {
        using var lab = NetnsLab.Create(2);
        var conf = lab.WriteFile("cloudcore-lb.yaml", LabConfigsV3.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }, Fast));
        using var sampler = new VipSampler(lab.Nodes);
        var first = lab.StartDaemon(lab.Nodes[0], conf);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], conf);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 20);

        var (failover, _, killedAt) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), Timeout, TimeSpan.FromMilliseconds(500));
        var master = DaemonLog.WaitFor(second, "Backup -> Master (MasterDownTimerExpired", killedAt, Timeout);
        var bound = LabConfigsV3.MasterDown(99, Fast) + FastMargin;
        output.WriteLine($"v3 100 ms, kill -9 of the master: backup master {(master - killedAt).TotalMilliseconds:F0} ms after the kill (log), VIP seen on it after {failover.TotalMilliseconds:F0} ms; master-down interval {LabConfigsV3.MasterDown(99, Fast).TotalMilliseconds:F1} ms, bound {bound.TotalMilliseconds:F0} ms");
        Assert.True(master - killedAt <= bound, second.Output);

        second.Signal(15);
        Assert.True(second.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(second.Output);
    }

    /// <summary>
    /// The config files and VIP of the instance in one family: the lab's IPv4 instance, or its IPv6 twin (VRID 168,
    /// fixed nodad link-local addresses so VRRPv3 can send from them at once).
    /// </summary>
    private static (string Keepalived, string Ours, string Vip) Configure(NetnsLab lab, bool ipv6, string keepalived4, string keepalived6, Dictionary<string, int> priorities)
    {
        if (ipv6)
        {
            LabIPv6.UseFixedLinkLocal(lab);
        }

        var ours = ipv6 ? LabIPv6.Daemon(priorities, OneSecond) : LabConfigsV3.Daemon(priorities, OneSecond);
        return (lab.WriteFile("keepalived.conf", ipv6 ? keepalived6 : keepalived4), lab.WriteFile("cloudcore-lb.yaml", ours), ipv6 ? LabIPv6.Vip : NetnsLab.Vip);
    }

    private static string Family(bool ipv6) => ipv6 ? "IPv6" : "IPv4";

    private static DateTime DaemonStart(LabProcess daemon) =>
        DaemonLog.Find(daemon, "starting VRRPv3", DateTime.MinValue) ?? throw new Xunit.Sdk.XunitException(daemon.Output);

    /// <summary>The IPv4 protocol-112 packets of a tcpdump capture (classic pcap, Ethernet), with their arrival time.</summary>
    private static List<Captured> ReadVrrp(string path)
    {
        var list = new List<Captured>();
        foreach (var (at, frame) in LabPcap.Read(path))
        {
            if (frame.Length < 34 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x0800 || frame[14 + 9] != 112)
            {
                continue;
            }

            var ip = frame.AsSpan(14);
            var headerLength = (ip[0] & 0x0F) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            list.Add(new Captured(at, new IPAddress(ip.Slice(12, 4)), new IPAddress(ip.Slice(16, 4)), ip[8], ip[1], ip[headerLength..total].ToArray()));
        }

        return list;
    }

    private sealed record Captured(DateTime At, IPAddress Source, IPAddress Destination, byte Ttl, byte Tos, byte[] Vrrp);
}
