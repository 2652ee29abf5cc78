using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>What our adverts and GARPs look like on the wire, decoded by tshark (issue 2, test c).</summary>
public sealed class AdvertCaptureTests(ITestOutputHelper output)
{
    [RootFact]
    public void TsharkDecodesOurAdvertsAsValidVrrpAndSeesGarpsAfterTakeover()
    {
        using var lab = NetnsLab.Create(2);
        var config = lab.WriteFile("cloudcore-lb.yaml", LabConfigs.Daemon(new Dictionary<string, int> { ["node1"] = 100 }));
        var pcap = Path.Combine(lab.Directory, "vrrp.pcap");
        // Capture on node2's eth0: what a peer really receives.
        var tcpdump = lab.Start(lab.Nodes[1], "tcpdump", "tcpdump", "-i", "eth0", "-U", "-n", "-w", pcap, "vrrp or arp");
        Thread.Sleep(1000);
        var daemon = lab.StartDaemon(lab.Nodes[0], config);
        using (var sampler = new VipSampler([lab.Nodes[0]]))
        {
            Assert.True(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)) is not null, daemon.Output);
        }

        Thread.Sleep(2500);
        tcpdump.Signal(2);
        tcpdump.WaitForExit(TimeSpan.FromSeconds(5));

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
