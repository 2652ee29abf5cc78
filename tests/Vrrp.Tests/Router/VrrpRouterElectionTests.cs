using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterElectionTests
{
    private readonly InMemoryVrrpNetwork _network = new();
    private RouterHarness _r100;
    private readonly RouterHarness _r99;
    private readonly RouterHarness _r98;

    public VrrpRouterElectionTests()
    {
        _r100 = _network.AddRouter("10.10.102.10", 100);
        _r99 = _network.AddRouter("10.10.102.11", 99);
        _r98 = _network.AddRouter("10.10.102.12", 98);
    }

    [Fact]
    public void ThreeRouters_ElectTheHighestPriorityAfterItsMasterDownInterval()
    {
        StartAll();
        Assert.All(new[] { _r100, _r99, _r98 }, r => Assert.Equal(VrrpState.Backup, r.State));

        _network.Advance(S(10));

        Assert.Equal(MasterDown100, _r100.BecameMasterAt);
        Assert.Equal(VrrpTransitionReason.MasterDownTimerExpired, _r100.Changes.Last().Change.Reason);
        Assert.Equal(VrrpState.Backup, _r99.State);
        Assert.Equal(VrrpState.Backup, _r98.State);
        Assert.Null(_r99.BecameMasterAt);
        Assert.Null(_r98.BecameMasterAt);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), _r100.Vips.Present);
        Assert.Empty(_r99.Vips.Present);
        Assert.Empty(_r98.Vips.Present);

        // Advert first, then VIP, then 5 GARPs (garp_master_repeat), then an advert every second.
        Assert.Equal(5, _r100.Garp.CountAt(MasterDown100));
        Assert.Equal(
            Enumerable.Range(0, 7).Select(k => MasterDown100 + S(k)),
            _r100.SentAdverts.Select(a => a.At));
        Assert.All(_r100.SentAdverts, a => Assert.Equal(100, a.Priority));
        Assert.Equal(7, _r99.Router.Counters.AdvertsReceived);
    }

    [Fact]
    public void SecondGarpBurst_FollowsAfterGarpMasterDelay()
    {
        StartAll();
        _network.Advance(S(10));

        Assert.Equal(5, _r100.Garp.CountAt(MasterDown100 + S(5)));
        Assert.Equal(10, _r100.Garp.Sent.Count);
        Assert.Equal(10, _r100.Router.Counters.GarpSent);
    }

    [Fact]
    public void MasterKilled_NextPriorityTakesOverExactlyItsMasterDownIntervalAfterTheLastAdvert()
    {
        StartAll();
        _network.AdvanceTo(S(10.5));
        _r100.Kill();
        var lastAdvert = _r100.SentAdverts.Last().At;

        _network.Advance(S(10));

        Assert.Equal(lastAdvert + Latency + MasterDown99, _r99.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, _r98.State);
        Assert.Equal(1, _r99.Router.Counters.MasterDownExpiries);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), _r99.Vips.Present);

        // SIGKILL releases nothing: the dead node still holds the VIP (docs/design/vrrp.md §5.5).
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), _r100.Vips.Present);
    }

    [Fact]
    public void MasterStopped_SendsPriorityZeroAndTheBackupTakesOverAfterItsSkewTime()
    {
        StartAll();
        _network.AdvanceTo(S(10.5));
        var stoppedAt = _network.Now;

        _r100.Router.Stop();

        Assert.Equal(VrrpState.Initialize, _r100.State);
        Assert.Empty(_r100.Vips.Present);
        var release = _r100.SentAdverts.Last();
        Assert.Equal((stoppedAt, (byte)0), (release.At, release.Priority));
        Assert.Equal(1, _r100.Router.Counters.PriorityZeroSent);

        _network.Advance(S(10));

        Assert.Equal(stoppedAt + Latency + Skew99, _r99.BecameMasterAt);
        Assert.Equal(VrrpTransitionReason.MasterReleased, _r99.Changes.Last().Change.Reason);
        Assert.Equal(VrrpState.Backup, _r98.State);
        Assert.Equal(1, _r98.Router.Counters.PriorityZeroReceived);
    }

    [Fact]
    public void OldMasterReturning_PreemptsItsMasterDownIntervalAfterItsStart()
    {
        StartAll();
        _network.AdvanceTo(S(10.5));
        _r100.Router.Stop();
        _network.AdvanceTo(S(15));

        _r100.Start();
        _network.Advance(S(10));

        Assert.Equal(S(15) + MasterDown100, _r100.BecameMasterAt);
        var stepDown = _r99.Changes.Last();
        Assert.Equal((S(15) + MasterDown100 + Latency, VrrpState.Backup, VrrpTransitionReason.HigherPriorityAdvert), (stepDown.At, stepDown.Change.To, stepDown.Change.Reason));
        Assert.Empty(_r99.Vips.Present);
        Assert.Equal(VrrpState.Backup, _r98.State);
    }

    [Fact]
    public void Nopreempt_LowerPriorityMasterIsKept()
    {
        _r100 = _network.Reconfigure(_r100, o => o with { Preempt = false });
        StartAll();
        _network.AdvanceTo(S(10.5));
        _r100.Router.Stop();
        _network.AdvanceTo(S(15));

        _r100.Start();
        _network.Advance(S(30));

        Assert.Equal(VrrpState.Backup, _r100.State);
        Assert.Equal(VrrpState.Master, _r99.State);
        Assert.Equal(99, _r100.Router.LastMasterPriority);
        Assert.Equal(_r99.Address, _r100.Router.LastMasterAddress);
    }

    [Fact]
    public void PreemptDelay_AcceptsTheLowerMasterUntilTheDelayEndsThenPreempts()
    {
        _r100 = _network.Reconfigure(_r100, o => o with { PreemptDelay = S(10) });
        StartAll();
        _network.AdvanceTo(S(10.5));
        _r100.Router.Stop();
        _network.AdvanceTo(S(15));

        _r100.Start();
        _network.AdvanceTo(S(16.5));
        var firstLowerAdvert = _r99.SentAdverts.First(a => a.At + Latency >= S(15)).At + Latency;
        Assert.Equal(S(10.5) + Latency + Skew99 + S(4) + Latency, firstLowerAdvert);
        _network.AdvanceTo(firstLowerAdvert + S(10) + S(0.5));
        Assert.Equal(VrrpState.Backup, _r100.State);

        _network.Advance(S(10));

        // Adverts received within 10 s of the first lower one are accepted (the last at +9 s); the one at +10 s is
        // discarded, so the master-down interval runs out 3.609375 s after the +9 s advert.
        Assert.Equal(firstLowerAdvert + S(9) + MasterDown100, _r100.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, _r99.State);
    }

    private void StartAll()
    {
        _r100.Start();
        _r99.Start();
        _r98.Start();
    }
}
