using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>What our adverts and GARPs look like on the wire, decoded by tshark (issue 2, test c).</summary>
public sealed class AdvertCaptureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public void TsharkDecodesOurAdvertsAsValidVrrpAndSeesGarpsAfterTakeover()
    {
        using var lab = NetnsLab.Create(2);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 }));
        var pcap = Path.Combine(lab.Directory, "vrrp.pcap");
        // Capture on node2's eth0: what a peer really receives.
        var tcpdump = lab.Start(lab.Nodes[1], "tcpdump", "tcpdump", "-i", "eth0", "-U", "-n", "-w", pcap, "vrrp or arp");
        Assert.True(tcpdump.WaitForOutput("listening on eth0", Timeout), tcpdump.Output);
        var daemon = lab.StartDaemon(lab.Nodes[0], config);
        using (var sampler = new VipSampler([lab.Nodes[0]]))
        {
            sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, daemon);
        }

        // The takeover's GARP burst and three adverts have left node1 (the last may still be on its way to node2).
        LabMetrics.WaitFor(lab.Nodes[0], "cloudcore_lb_vrrp_garp_sent_total{instance=\"CloudCore\"}", 5, Timeout);
        LabMetrics.WaitFor(lab.Nodes[0], "cloudcore_lb_vrrp_adverts_sent_total{instance=\"CloudCore\"}", 3, Timeout);
        tcpdump.Signal(2);
        Assert.True(tcpdump.WaitForExit(Timeout), tcpdump.Output);

        var adverts = Shell.Run("tshark", "-r", pcap, "-Y", "vrrp", "-T", "fields", "-E", "separator=|",
            "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "ip.proto", "-e", "ip.dsfield",
            "-e", "vrrp.version", "-e", "vrrp.type", "-e", "vrrp.virt_rtr_id", "-e", "vrrp.prio",
            "-e", "vrrp.addr_count", "-e", "vrrp.auth_type", "-e", "vrrp.adver_int", "-e", "vrrp.checksum.status", "-e", "vrrp.ip_addr")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(string.Join('\n', adverts));
        Assert.True(adverts.Length >= 2, "fewer than two adverts captured");
        foreach (var line in adverts)
        {
            var f = line.Split('|');
            Assert.Equal("10.10.102.11", f[0]);
            Assert.Equal("224.0.0.19", f[1]);
            Assert.Equal("255", f[2]);
            Assert.Equal("112", f[3]);
            Assert.Equal("0xc0", f[4]);
            Assert.Equal("2", f[5]);
            Assert.Equal("1", f[6]);
            Assert.Equal("167", f[7]);
            Assert.Equal("100", f[8]);
            Assert.Equal("1", f[9]);
            Assert.Equal("1", f[10]);
            Assert.Equal("1", f[11]);
            Assert.Equal("1", f[12]); // tshark's checksum status: 0 bad, 1 good, 2 unverified
            Assert.Equal(NetnsLab.Vip, f[13]);
        }

        var garps = Shell.Run("tshark", "-r", pcap, "-Y", $"arp.opcode == 1 && arp.src.proto_ipv4 == {NetnsLab.Vip} && arp.dst.proto_ipv4 == {NetnsLab.Vip}",
            "-T", "fields", "-e", "eth.dst", "-e", "arp.dst.hw_mac", "-e", "frame.len")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(string.Join('\n', garps));
        Assert.True(garps.Length >= 5, $"expected a burst of 5 GARPs, saw {garps.Length}");
        Assert.All(garps, g => Assert.StartsWith("ff:ff:ff:ff:ff:ff\tff:ff:ff:ff:ff:ff", g, StringComparison.Ordinal));
    }
}
