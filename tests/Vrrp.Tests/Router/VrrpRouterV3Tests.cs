using System.Net;
using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>
/// VRRPv3 timing on the fake clock (RFC 5798 §6.1): Skew_Time = ((256 - priority) x Master_Adver_Interval) / 256,
/// Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time, and a backup following the master's interval
/// (§6.4.2). The figures are spelled out in microseconds, truncated as the router truncates them.
/// </summary>
public sealed class VrrpRouterV3Tests : IDisposable
{
    // 3 x 100 ms + 156 x 100 ms / 256 (60 937.5 us) and 157 x 100 ms / 256 (61 328.125 us).
    private static readonly TimeSpan s_masterDown100At100Ms = Us(360_937);
    private static readonly TimeSpan s_masterDown99At100Ms = Us(361_328);

    // At 1 s the v3 formula gives v2's figures: 3 s + 156/256 s and 3 s + 157/256 s.
    private static readonly TimeSpan s_masterDown99At1S = Us(3_613_281);

    private readonly InMemoryVrrpNetwork _network = new();
    private readonly List<RouterHarness> _routers = [];

    public static TheoryData<string> DropCases => new(V3Drop.Cases.Keys);

    [Fact]
    public void At100Ms_TheHighestPriorityBecomesMasterAfter3IntervalsPlusItsSkew()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromMilliseconds(100));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromMilliseconds(100));
        StartAll();

        _network.Advance(S(1));

        Assert.Equal(s_masterDown100At100Ms, r100.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.Equal(
            Enumerable.Range(0, 7).Select(k => s_masterDown100At100Ms + TimeSpan.FromMilliseconds(100 * k)),
            r100.SentAdverts.Select(a => a.At));
        Assert.All(r100.SentAdverts, a => Assert.Equal(0x31, a.Message[0]));
        Assert.All(r100.SentAdverts, a => Assert.Equal(10, (a.Message[4] << 8) | a.Message[5]));
        Assert.Equal(7, r99.Router.Counters.AdvertsReceived);
        Assert.Equal(0, DropsOf(r99));
    }

    [Fact]
    public void At100Ms_AKilledMasterIsReplacedOneMasterDownIntervalAfterItsLastAdvert()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromMilliseconds(100));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromMilliseconds(100));
        StartAll();
        _network.AdvanceTo(S(1.05));
        r100.Kill();
        var lastAdvert = r100.SentAdverts.Last().At;

        _network.Advance(S(1));

        Assert.Equal(lastAdvert + Latency + s_masterDown99At100Ms, r99.BecameMasterAt);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), r99.Vips.Present);
    }

    [Fact]
    public void At1S_TheTimelineIsVrrpv2s()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromSeconds(1));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromSeconds(1));
        StartAll();

        _network.AdvanceTo(S(10.5));
        r100.Kill();
        var lastAdvert = r100.SentAdverts.Last().At;
        _network.Advance(S(10));

        Assert.Equal(MasterDown100, r100.BecameMasterAt);
        Assert.Equal(Enumerable.Range(0, 7).Select(k => MasterDown100 + S(k)), r100.SentAdverts.Select(a => a.At));
        Assert.Equal(lastAdvert + Latency + s_masterDown99At1S, r99.BecameMasterAt);
    }

    [Fact]
    public void ABackupConfiguredFor100Ms_AdoptsTheMasters1SInterval()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromSeconds(1));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromMilliseconds(100));
        StartAll();
        _network.AdvanceTo(S(10.5));

        // r99 is master first (361 ms), until r100's first advert at 3.61 s; from then on it waits by r100's interval
        // and stays backup between its adverts, a second apart, instead of timing out 361 ms after each one.
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.DoesNotContain(r99.Changes, c => c.At > S(4));
        Assert.Equal(TimeSpan.FromSeconds(1), r99.Router.MasterAdvertInterval);
        Assert.Equal(0, DropsOf(r99));

        r100.Kill();
        var lastAdvert = r100.SentAdverts.Last().At;
        _network.Advance(S(10));

        Assert.Equal(lastAdvert + Latency + s_masterDown99At1S, r99.BecameMasterAt);
        Assert.Equal(TimeSpan.FromMilliseconds(100), r99.Router.MasterAdvertInterval);
        var afterTakeover = r99.SentAdverts.Where(a => a.At >= r99.BecameMasterAt).Take(2).ToArray();
        Assert.Equal(TimeSpan.FromMilliseconds(100), afterTakeover[1].At - afterTakeover[0].At);
    }

    [Fact]
    public void ABackupConfiguredFor1S_AdoptsTheMasters100MsInterval()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromMilliseconds(100));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromSeconds(1));
        r100.Start();
        _network.Advance(S(1));
        r99.Start();
        _network.AdvanceTo(S(3.05));
        Assert.Equal(TimeSpan.FromMilliseconds(100), r99.Router.MasterAdvertInterval);

        r100.Kill();
        var lastAdvert = r100.SentAdverts.Last().At;
        _network.Advance(S(10));

        Assert.Equal(lastAdvert + Latency + s_masterDown99At100Ms, r99.BecameMasterAt);
    }

    [Fact]
    public void AMasterSteppingDownToAHigherPriority_TakesItsInterval()
    {
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromMilliseconds(100));
        r99.Start();
        _network.Advance(S(1));
        Assert.Equal(VrrpState.Master, r99.State);

        var r100 = Add("10.10.102.10", 100, TimeSpan.FromMilliseconds(200));
        r100.Start();
        _network.Advance(S(2));

        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.Equal(TimeSpan.FromMilliseconds(200), r99.Router.MasterAdvertInterval);
    }

    [Fact]
    public void APriorityZeroAdvert_HandsOverAfterTheV3Skew()
    {
        var r100 = Add("10.10.102.10", 100, TimeSpan.FromMilliseconds(100));
        var r99 = Add("10.10.102.11", 99, TimeSpan.FromMilliseconds(100));
        StartAll();
        _network.AdvanceTo(S(1.05));

        r100.Router.Stop();
        var release = r100.SentAdverts.Last();
        _network.Advance(S(1));

        Assert.Equal(VrrpAdvertisement.PriorityRelease, release.Priority);
        Assert.Equal(release.At + Latency + Us(61_328), r99.BecameMasterAt);
    }

    [Fact]
    public void SkewTime_ScalesWithTheMasterAdvertInterval()
    {
        Assert.Equal(Us(61_328), VrrpRouter.V3Skew(99, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(Skew99, VrrpRouter.V3Skew(99, TimeSpan.FromSeconds(1)));
        Assert.Equal(Us(39), VrrpRouter.V3Skew(254, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(Us(15_996_093), VrrpRouter.V3Skew(156, TimeSpan.FromMilliseconds(40_950)));
    }

    [Theory]
    [MemberData(nameof(DropCases))]
    public void ACraftedDatagram_IsCountedUnderItsReason(string name)
    {
        var drop = V3Drop.Cases[name];
        var router = Add("10.10.102.10", 100, TimeSpan.FromSeconds(1), drop.Configure);
        router.Start();
        var builder = V3AdvertBuilder.IPv4();
        drop.Mutate(builder);

        router.Router.OnDatagram(builder.BuildIPv4Datagram(drop.Ip), builder.Destination);

        var counted = drop.Expected == VrrpDropReason.UnknownVirtualRouterId ? router.Router.Counters.UnknownVirtualRouterId : router.Router.Counters.GetDrops(drop.Expected);
        Assert.Equal(1, counted);
        Assert.Equal(0, router.Router.Counters.AdvertsReceived);
        Assert.Equal(VrrpState.Backup, router.State);
    }

    [Fact]
    public void EveryVersion3DropReason_IsCountedByTheRouter()
    {
        var versionTwoOnly = new[] { VrrpDropReason.InvalidAuthType, VrrpDropReason.AuthTypeMismatch, VrrpDropReason.AuthFailure, VrrpDropReason.AdvertIntervalMismatch };
        var covered = V3Drop.Cases.Values.Select(c => c.Expected).Append(VrrpDropReason.NotListening).ToHashSet();

        Assert.All(Enum.GetValues<VrrpDropReason>().Where(r => r != VrrpDropReason.None).Except(versionTwoOnly), r => Assert.Contains(r, covered));
    }

    [Fact]
    public void AStoppedInstance_CountsAdvertsAsNotListening()
    {
        var router = Add("10.10.102.10", 100, TimeSpan.FromSeconds(1));

        router.Router.OnDatagram(V3AdvertBuilder.IPv4().BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group);

        Assert.Equal(1, router.Router.Counters.GetDrops(VrrpDropReason.NotListening));
    }

    [Fact]
    public void AUnicastPeer_IsAcceptedAndItsAdvertHoldsTheBackup()
    {
        var router = Add("10.10.102.10", 100, TimeSpan.FromSeconds(1), o => o with { UnicastPeers = [IPAddress.Parse("10.10.102.11")] });
        router.Start();
        var builder = V3AdvertBuilder.IPv4();
        builder.Destination = router.Address;
        builder.Priority = 200;

        router.Router.OnDatagram(builder.BuildIPv4Datagram(), builder.Destination);

        Assert.Equal(1, router.Router.Counters.AdvertsReceived);
        Assert.Equal(IPAddress.Parse("10.10.102.11"), router.Router.LastMasterAddress);
    }

    public void Dispose()
    {
        foreach (var router in _routers)
        {
            router.Dispose();
        }
    }

    private static long DropsOf(RouterHarness router) =>
        Enum.GetValues<VrrpDropReason>().Where(r => r != VrrpDropReason.None).Sum(router.Router.Counters.GetDrops);

    private RouterHarness Add(string address, byte priority, TimeSpan interval, Func<VrrpInstanceOptions, VrrpInstanceOptions>? configure = null)
    {
        var router = _network.AddRouter(address, priority, o =>
        {
            var v3 = o with { Version = 3, AdvertInterval = interval, AuthType = VrrpAuthType.None, AuthPassword = null };
            return configure?.Invoke(v3) ?? v3;
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

    private sealed record V3Drop(VrrpDropReason Expected, Action<V3AdvertBuilder> Mutate, Action<AdvertDatagramBuilder>? Ip = null, Func<VrrpInstanceOptions, VrrpInstanceOptions>? Configure = null)
    {
        private static readonly Func<VrrpInstanceOptions, VrrpInstanceOptions> s_group18 = o => o with { MulticastGroup = V3AdvertBuilder.IPv4Group };

        public static readonly Dictionary<string, V3Drop> Cases = new()
        {
            ["shorter than IP header + 8"] = new(VrrpDropReason.Truncated, _ => { }, b => b.TruncateTo = 27, s_group18),
            ["IP version 6"] = new(VrrpDropReason.InvalidIpHeader, _ => { }, b => b.IpVersion = 6, s_group18),
            ["TCP, not VRRP"] = new(VrrpDropReason.NotVrrpProtocol, _ => { }, b => b.Protocol = 6, s_group18),
            ["another VRID"] = new(VrrpDropReason.UnknownVirtualRouterId, b => b.VirtualRouterId = 51, Configure: s_group18),
            ["count claims more addresses than present"] = new(VrrpDropReason.LengthMismatch, b => b.CountOverride = 2, Configure: s_group18),
            ["multicast TTL 254"] = new(VrrpDropReason.InvalidTtl, _ => { }, b => b.Ttl = 254, s_group18),
            ["VRRP version 2"] = new(VrrpDropReason.InvalidVersion, b => b.Version = 2, Configure: s_group18),
            ["type 2"] = new(VrrpDropReason.InvalidType, b => b.Type = 2, Configure: s_group18),
            ["interval 0"] = new(VrrpDropReason.InvalidAdvertInterval, b => b.IntervalCentiseconds = 0, Configure: s_group18),
            ["IP total length too large"] = new(VrrpDropReason.IpTotalLengthMismatch, _ => { }, b => b.TotalLengthOverride = 36, s_group18),
            ["bad checksum"] = new(VrrpDropReason.BadChecksum, b => b.CorruptChecksum = true, Configure: s_group18),
            ["RFC 9568 checksum"] = new(VrrpDropReason.ChecksumFormMismatch, b => b.ChecksumWithoutPseudoHeader = true, Configure: s_group18),
            ["other multicast group"] = new(VrrpDropReason.DestinationMismatch, _ => { }),
            ["sent from our own address"] = new(VrrpDropReason.OwnAdvert, b => b.Source = IPAddress.Parse("10.10.102.10"), Configure: s_group18),
            ["two addresses, we have one"] = new(VrrpDropReason.AddressCountMismatch, b => b.Addresses = [V3AdvertBuilder.IPv4Vip, IPAddress.Parse("10.10.102.243")], Configure: s_group18),
            ["another address"] = new(VrrpDropReason.AddressListMismatch, b => b.Addresses = [IPAddress.Parse("10.10.102.243")], Configure: s_group18),
            ["unicast from a host that is not a peer"] = new(
                VrrpDropReason.NotAUnicastPeer,
                b => b.Destination = IPAddress.Parse("10.10.102.10"),
                Configure: o => o with { UnicastPeers = [IPAddress.Parse("10.10.102.12")] }),
            ["unicast from a non-peer with another VIP list"] = new(
                VrrpDropReason.NotAUnicastPeer,
                b => { b.Destination = IPAddress.Parse("10.10.102.10"); b.Addresses = [IPAddress.Parse("10.10.102.243")]; },
                Configure: o => o with { UnicastPeers = [IPAddress.Parse("10.10.102.12")] }),
        };
    }
}
