using System.Net;
using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// Wire interoperability with the real keepalived: adverts in both directions between two namespaces, with the seed
/// configuration (VRID 167, group 224.0.0.19, PASS 1111, VIP 10.10.102.242/24; docs/design/cloudcore-ha.md).
/// </summary>
public sealed class KeepalivedInteropTests : IDisposable
{
    private static readonly IPAddress s_group = IPAddress.Parse("224.0.0.19");
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    // Seed advert, priority 100 (docs/design/vrrp.md §1.3).
    private static readonly byte[] s_advertPriority100 = Convert.FromHexString("21a764010101a5f70a0a66f23131313100000000");

    private readonly NamespacePair _net = NamespacePair.Connect("ko", "10.205.0.1/24", "kt", "10.205.0.2/24");
    private readonly ListLogger _logger = new();

    private NetworkNamespace Ours => _net.A;

    private NetworkNamespace Theirs => _net.B;

    public void Dispose() => _net.Dispose();

    [KeepalivedFact]
    public async Task KeepalivedMasterAdverts_AreReceivedByOurTransport()
    {
        using var transport = Ours.Run(OpenTransport);
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration("MASTER", 255));

        var buffer = new byte[1500];
        using var cts = new CancellationTokenSource(s_timeout);
        var datagram = await transport.ReceiveAsync(buffer, cts.Token);

        Assert.Equal(s_group, datagram.Destination);
        Assert.Equal(40, datagram.Length);
        Assert.Equal(255, buffer[8]); // TTL
        Assert.Equal(112, buffer[9]);
        Assert.Equal(IPAddress.Parse("10.205.0.2"), new IPAddress(buffer.AsSpan(12, 4)));
        Assert.Equal(Convert.FromHexString("21a7ff0101010af70a0a66f23131313100000000"), buffer[20..40]); // docs/design/vrrp.md §1.3, prio 255
    }

    [KeepalivedFact]
    public async Task OurPriority100Adverts_KeepAPriority99KeepalivedInBackup_UntilTheyStop()
    {
        using var transport = Ours.Run(OpenTransport);
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration("BACKUP", 99));
        Assert.True(await keepalived.WaitForAsync("Entering BACKUP STATE", s_timeout), keepalived.Output);

        // Six seconds of adverts: well past keepalived's 3.613 s master-down interval (docs/design/vrrp.md §4).
        for (var i = 0; i < 6; i++)
        {
            transport.Send(s_advertPriority100);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.DoesNotContain("Entering MASTER STATE", keepalived.Output);
        Assert.DoesNotContain("bogus", keepalived.Output, StringComparison.OrdinalIgnoreCase);

        // Silence: keepalived must now take over, which shows it was our adverts that held it back.
        Assert.True(await keepalived.WaitForAsync("Entering MASTER STATE", s_timeout), keepalived.Output);
    }

    [KeepalivedFact]
    public async Task KeepalivedUnicastAdverts_AreReceivedByOurUnicastTransport()
    {
        using var transport = Ours.Run(() => OpenTransport(unicast: true));
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration("MASTER", 255, unicast: true));

        var buffer = new byte[1500];
        using var cts = new CancellationTokenSource(s_timeout);
        var datagram = await transport.ReceiveAsync(buffer, cts.Token);

        Assert.Equal(IPAddress.Parse("10.205.0.1"), datagram.Destination);
        Assert.Equal(40, datagram.Length);
        Assert.Equal(255, buffer[8]); // unicast_ttl default
        Assert.Equal(IPAddress.Parse("10.205.0.2"), new IPAddress(buffer.AsSpan(12, 4)));
        Assert.Equal(Convert.FromHexString("21a7ff0101010af70a0a66f23131313100000000"), buffer[20..40]);
    }

    [KeepalivedFact]
    public async Task OurUnicastAdverts_KeepAUnicastKeepalivedInBackup()
    {
        using var transport = Ours.Run(() => OpenTransport(unicast: true));
        using var keepalived = KeepalivedProcess.Start(Theirs, Configuration("BACKUP", 99, unicast: true));
        Assert.True(await keepalived.WaitForAsync("Entering BACKUP STATE", s_timeout), keepalived.Output);

        for (var i = 0; i < 5; i++)
        {
            transport.Send(s_advertPriority100);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.DoesNotContain("Entering MASTER STATE", keepalived.Output);
        Assert.True(await keepalived.WaitForAsync("Entering MASTER STATE", s_timeout), keepalived.Output);
    }

    private RawVrrpTransport OpenTransport() => OpenTransport(unicast: false);

    private RawVrrpTransport OpenTransport(bool unicast)
    {
        var options = new VrrpInstanceOptions
        {
            Name = "interop",
            Interface = "ko",
            VirtualRouterId = 167,
            MulticastGroup = s_group,
            VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24)],
        };
        if (unicast)
        {
            options = options with { UnicastSourceAddress = IPAddress.Parse("10.205.0.1"), UnicastPeers = [IPAddress.Parse("10.205.0.2")] };
        }

        return RawVrrpTransport.Open(options, InterfaceInfo.Get("ko", [IPAddress.Parse("10.10.102.242")]), _logger);
    }

    private static string Configuration(string state, int priority, bool unicast = false) => $$"""
        global_defs {
            router_id ccltest
            vrrp_mcast_group4 224.0.0.19
        }
        vrrp_instance VI_1 {
            state {{state}}
            interface kt
            virtual_router_id 167
            priority {{priority}}
            advert_int 1
            {{(unicast ? "unicast_src_ip 10.205.0.2\n    unicast_peer {\n        10.205.0.1\n    }" : "")}}
            authentication {
                auth_type PASS
                auth_pass 1111
            }
            virtual_ipaddress {
                10.10.102.242/24
            }
        }
        """;
}
