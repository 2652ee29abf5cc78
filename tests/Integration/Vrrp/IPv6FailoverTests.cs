using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>
/// VRRPv3 over IPv6 end to end (issue 13 item 3): two of our daemons elect one master for an IPv6 VIP, which is added
/// with nodad on the master only and announced with unsolicited Neighbor Advertisements, and kill -9 or SIGTERM of
/// the master moves it to the backup.
/// </summary>
public sealed class IPv6FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [RootFact]
    public void TwoDaemonsElectOneMasterForAnIPv6Vip_AndKillOrStopOfTheMasterMovesIt()
    {
        using var lab = NetnsLab.Create(2);
        LabIPv6.UseFixedLinkLocal(lab);
        var conf = lab.WriteFile("cloudcore-lb.yaml", LabIPv6.Daemon(new Dictionary<string, int> { ["node1"] = 100, ["node2"] = 99 }, OneSecond));
        using var sampler = new VipSampler(lab.Nodes, LabIPv6.Vip);
        var pcap = Path.Combine(lab.Directory, "na.pcap");
        var tcpdump = lab.Start(lab.Nodes[1], "tcpdump", "tcpdump", "-i", "eth0", "-U", "-n", "-w", pcap, "icmp6 and ip6[40] == 136");
        Assert.True(tcpdump.WaitForOutput("listening on eth0", Timeout), tcpdump.Output);

        var first = lab.StartDaemon(lab.Nodes[0], conf);
        var at = sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], conf);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], adverts: 4, masterAddress: LabIPv6.LinkLocal(lab.Nodes[0]));
        Assert.True(sampler.FirstSampleWithout(1, at) is null, sampler.Describe());
        var line = LabIPv6.VipLine(lab.Nodes[0]);
        Assert.NotNull(line);
        Assert.Contains("nodad", line, StringComparison.Ordinal);
        Assert.DoesNotContain("tentative", line, StringComparison.Ordinal);
        Assert.Null(LabIPv6.VipLine(lab.Nodes[1]));
        LabMetrics.WaitFor(lab.Nodes[0], "cloudcore_lb_vrrp_garp_sent_total{instance=\"CloudCore\"}", 5, Timeout);
        tcpdump.Signal(2);
        Assert.True(tcpdump.WaitForExit(Timeout), tcpdump.Output);
        var announced = NeighborAdvertisements(pcap);
        Assert.True(announced.Count >= 5, $"{announced.Count} unsolicited NAs for {LabIPv6.Vip} captured, 5 expected");
        Assert.All(announced, na => Assert.Equal(IPAddress.Parse(LabIPv6.LinkLocal(lab.Nodes[0])), na.Source));

        // kill -9 of every process on the master: the backup takes over within its master-down interval.
        var (down, _, killedAt) = FailoverTimeline.Measure(sampler, 2, () => lab.KillAll(lab.Nodes[0]), Timeout, OneSecond);
        var master = DaemonLog.WaitFor(second, "Backup -> Master (MasterDownTimerExpired", killedAt, Timeout);
        output.WriteLine($"IPv6 v3 1 s, kill -9 of the master: backup master {(master - killedAt).TotalMilliseconds:F0} ms after the kill, VIP seen after {down.TotalMilliseconds:F0} ms");
        Assert.True(master - killedAt <= LabConfigsV3.MasterDown(99, OneSecond) + VrrpTiming.Margin, second.Output);
        Assert.Contains("nodad", LabIPv6.VipLine(lab.Nodes[1]) ?? "", StringComparison.Ordinal);

        // The VIP the killed daemon left behind goes when it comes back at 100 and preempts; then a clean stop of
        // it moves the VIP back after the backup's skew time.
        var restart = sampler.Now;
        first = lab.StartDaemon(lab.Nodes[0], conf);
        sampler.RequireSoleHolder(1, restart, Timeout, first, second);
        LabStatus.WaitForBackupOf(lab, lab.Nodes[1], lab.Nodes[0], masterAddress: LabIPv6.LinkLocal(lab.Nodes[0]));
        var (stopped, overlap, stoppedAt) = FailoverTimeline.Measure(sampler, 2, () => first.Signal(15), Timeout, OneSecond);
        Assert.True(first.WaitForExit(Timeout));
        // From the priority-0 advert, which the protocol bounds; the shutdown before it is the loaded machine's.
        var released = DaemonLog.WaitFor(first, "releasing the router with a priority-0 advert", stoppedAt, Timeout);
        var afterRelease = sampler.FromLocal(stoppedAt) + stopped - sampler.FromLocal(released);
        output.WriteLine($"IPv6 v3 1 s, SIGTERM of the master: VIP on the backup after {stopped.TotalMilliseconds:F0} ms, {afterRelease.TotalMilliseconds:F0} ms after the priority-0 advert, overlap {overlap.TotalMilliseconds:F0} ms");
        Assert.True(afterRelease <= LabConfigsV3.Skew(99, OneSecond) + VrrpTiming.Margin, sampler.Describe());
        Assert.Null(LabIPv6.VipLine(lab.Nodes[0]));
        DaemonLog.AssertNoDrops(first.Output);

        second.Signal(15);
        Assert.True(second.WaitForExit(Timeout));
        DaemonLog.AssertNoDrops(second.Output);
        Assert.Null(LabIPv6.VipLine(lab.Nodes[1]));
    }

    /// <summary>
    /// The unsolicited Neighbor Advertisements for the VIP in a capture (RFC 4861 §4.4: hop limit 255, to ff02::1,
    /// Override set, Solicited clear), with their IPv6 source.
    /// </summary>
    private static List<(IPAddress Source, DateTime At)> NeighborAdvertisements(string path)
    {
        var vip = IPAddress.Parse(LabIPv6.Vip);
        var found = new List<(IPAddress, DateTime)>();
        foreach (var (at, frame) in LabPcap.Read(path))
        {
            if (frame.Length < 14 + 40 + 24 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x86DD)
            {
                continue;
            }

            var ip = frame.AsSpan(14);
            var icmp = ip[40..];
            if (ip[6] == 58 && ip[7] == 255 && icmp[0] == 136 && (icmp[4] & 0x60) == 0x20
                && new IPAddress(ip.Slice(24, 16)).Equals(IPAddress.Parse("ff02::1")) && new IPAddress(icmp.Slice(8, 16)).Equals(vip))
            {
                found.Add((new IPAddress(ip.Slice(8, 16)), at));
            }
        }

        return found;
    }
}
