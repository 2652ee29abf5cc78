using System.Net;
using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>
/// VRRPv3 over IPv6 (RFC 5798 §5.1.2.2) on the fake clock: link-local sources as router identities, the bare
/// message with its hop limit from the ancillary data, IPv6 VIPs announced on the GARP schedule.
/// </summary>
public sealed class VrrpRouterIPv6Tests : IDisposable
{
    private static readonly VirtualAddress s_vip = new(IPAddress.Parse("fd00:102::242"), 64);
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly InMemoryVrrpNetwork _network = new();
    private readonly List<RouterHarness> _routers = [];

    public void Dispose()
    {
        foreach (var router in _routers)
        {
            router.Dispose();
        }
    }

    [Fact]
    public void TheHighestPriorityBecomesMaster_HoldsTheVipAlone_AndAnnouncesIt()
    {
        var r100 = Add("fe80::10", 100);
        var r99 = Add("fe80::11", 99);
        StartAll();

        _network.Advance(S(1));

        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.Equal([s_vip], r100.Vips.Present);
        Assert.Empty(r99.Vips.Present);
        Assert.Equal(Enumerable.Repeat(s_vip.Address, 5), r100.Garp.Sent.Select(s => s.Address));
        Assert.All(r100.SentAdverts, a => Assert.Equal(VrrpV3Advertisement.GetLength(1, System.Net.Sockets.AddressFamily.InterNetworkV6), a.Message.Length));
        Assert.True(r99.Router.Counters.AdvertsReceived > 0);
        Assert.Equal(0, r99.Router.Counters.Snapshot().Drops.Values.Sum());
        Assert.Equal(IPAddress.Parse("fe80::10"), r99.Router.LastMasterAddress);
    }

    [Fact]
    public void AtEqualPriority_TheHigherLinkLocalAddressWins()
    {
        var low = Add("fe80::1:10", 100);
        var high = Add("fe80::2:1", 100);
        StartAll();

        _network.Advance(S(2));

        Assert.Equal(VrrpState.Master, high.State);
        Assert.Equal(VrrpState.Backup, low.State);
    }

    [Fact]
    public void AKilledMaster_IsReplacedByTheBackup()
    {
        var r100 = Add("fe80::10", 100);
        var r99 = Add("fe80::11", 99);
        StartAll();
        _network.AdvanceTo(S(1.05));

        r100.Kill();
        _network.Advance(S(1));

        Assert.Equal(VrrpState.Master, r99.State);
        Assert.Equal([s_vip], r99.Vips.Present);
    }

    [Fact]
    public void AnAdvertWithHopLimit254_IsCountedAsInvalidTtl_AndDoesNotHoldTheBackup()
    {
        var r99 = Add("fe80::11", 99);
        r99.Start();
        var advert = new byte[VrrpV3Advertisement.GetLength(1, System.Net.Sockets.AddressFamily.InterNetworkV6)];
        var peer = IPAddress.Parse("fe80::10");
        VrrpV3AdvertisementWriter.Write(advert, 167, 100, 10, [s_vip.Address], peer, VrrpV3Advertisement.IPv6Group);

        r99.Router.OnIPv6Datagram(advert, peer, VrrpV3Advertisement.IPv6Group, hopLimit: 254);
        _network.Advance(S(1));

        Assert.Equal(1, r99.Router.Counters.GetDrops(VrrpDropReason.InvalidTtl));
        Assert.Equal(0, r99.Router.Counters.AdvertsReceived);
        Assert.Equal(VrrpState.Master, r99.State);
    }

    [Fact]
    public void AnIPv4Datagram_IsDroppedByAnIPv6Instance()
    {
        var r99 = Add("fe80::11", 99);
        r99.Start();

        r99.Router.OnDatagram(new byte[40], IPAddress.Parse("224.0.0.18"));

        Assert.Equal(1, r99.Router.Counters.GetDrops(VrrpDropReason.DestinationMismatch));
    }

    private RouterHarness Add(string linkLocal, byte priority)
    {
        var router = _network.AddRouter(linkLocal, priority, o => o with
        {
            Version = 3,
            AuthType = VrrpAuthType.None,
            AuthPassword = null,
            AdvertInterval = s_interval,
            VirtualAddresses = [s_vip],
        });
        _routers.Add(router);
        return router;
    }

    private void StartAll()
    {
        foreach (var router in _routers)
        {
            router.Start();
        }
    }
}
