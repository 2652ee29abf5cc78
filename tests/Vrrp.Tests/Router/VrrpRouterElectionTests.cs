using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterElectionTests
{
    private readonly InMemoryVrrpNetwork network = new();
    private readonly RouterHarness r100;
    private readonly RouterHarness r99;
    private readonly RouterHarness r98;

    public VrrpRouterElectionTests()
    {
        r100 = network.AddRouter("10.10.102.10", 100);
        r99 = network.AddRouter("10.10.102.11", 99);
        r98 = network.AddRouter("10.10.102.12", 98);
    }

    [Fact]
    public void ThreeRouters_ElectTheHighestPriorityAfterItsMasterDownInterval()
    {
        StartAll();
        Assert.All(new[] { r100, r99, r98 }, r => Assert.Equal(VrrpState.Backup, r.State));

        network.Advance(S(10));

        Assert.Equal(MasterDown100, r100.BecameMasterAt);
        Assert.Equal(VrrpTransitionReason.MasterDownTimerExpired, r100.Changes.Last().Change.Reason);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.Equal(VrrpState.Backup, r98.State);
        Assert.Null(r99.BecameMasterAt);
        Assert.Null(r98.BecameMasterAt);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), r100.Vips.Present);
        Assert.Empty(r99.Vips.Present);
        Assert.Empty(r98.Vips.Present);

        // Advert first, then VIP, then 5 GARPs (garp_master_repeat), then an advert every second.
        Assert.Equal(5, r100.Garp.CountAt(MasterDown100));
        Assert.Equal(
            Enumerable.Range(0, 7).Select(k => MasterDown100 + S(k)),
            r100.SentAdverts.Select(a => a.At));
        Assert.All(r100.SentAdverts, a => Assert.Equal(100, a.Priority));
        Assert.Equal(7, r99.Router.Counters.AdvertsReceived);
    }

    [Fact]
    public void SecondGarpBurst_FollowsAfterGarpMasterDelay()
    {
        StartAll();
        network.Advance(S(10));

        Assert.Equal(5, r100.Garp.CountAt(MasterDown100 + S(5)));
        Assert.Equal(10, r100.Garp.Sent.Count);
        Assert.Equal(10, r100.Router.Counters.GarpSent);
    }

    [Fact]
    public void MasterKilled_NextPriorityTakesOverExactlyItsMasterDownIntervalAfterTheLastAdvert()
    {
        StartAll();
        network.AdvanceTo(S(10.5));
        r100.Kill();
        var lastAdvert = r100.SentAdverts.Last().At;

        network.Advance(S(10));

        Assert.Equal(lastAdvert + Latency + MasterDown99, r99.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, r98.State);
        Assert.Equal(1, r99.Router.Counters.MasterDownExpiries);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), r99.Vips.Present);

        // SIGKILL releases nothing: the dead node still holds the VIP (vrrp.md §5.5).
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), r100.Vips.Present);
    }

    [Fact]
    public void MasterStopped_SendsPriorityZeroAndTheBackupTakesOverAfterItsSkewTime()
    {
        StartAll();
        network.AdvanceTo(S(10.5));
        var stoppedAt = network.Now;

        r100.Router.Stop();

        Assert.Equal(VrrpState.Initialize, r100.State);
        Assert.Empty(r100.Vips.Present);
        var release = r100.SentAdverts.Last();
        Assert.Equal((stoppedAt, (byte)0), (release.At, release.Priority));
        Assert.Equal(1, r100.Router.Counters.PriorityZeroSent);

        network.Advance(S(10));

        Assert.Equal(stoppedAt + Latency + Skew99, r99.BecameMasterAt);
        Assert.Equal(VrrpTransitionReason.MasterReleased, r99.Changes.Last().Change.Reason);
        Assert.Equal(VrrpState.Backup, r98.State);
        Assert.Equal(1, r98.Router.Counters.PriorityZeroReceived);
    }

    [Fact]
    public void OldMasterReturning_PreemptsItsMasterDownIntervalAfterItsStart()
    {
        StartAll();
        network.AdvanceTo(S(10.5));
        r100.Router.Stop();
        network.AdvanceTo(S(15));

        r100.Start();
        network.Advance(S(10));

        Assert.Equal(S(15) + MasterDown100, r100.BecameMasterAt);
        var stepDown = r99.Changes.Last();
        Assert.Equal((S(15) + MasterDown100 + Latency, VrrpState.Backup, VrrpTransitionReason.HigherPriorityAdvert), (stepDown.At, stepDown.Change.To, stepDown.Change.Reason));
        Assert.Empty(r99.Vips.Present);
        Assert.Equal(VrrpState.Backup, r98.State);
    }

    [Fact]
    public void Nopreempt_LowerPriorityMasterIsKept()
    {
        r100.Options.Preempt = false;
        StartAll();
        network.AdvanceTo(S(10.5));
        r100.Router.Stop();
        network.AdvanceTo(S(15));

        r100.Start();
        network.Advance(S(30));

        Assert.Equal(VrrpState.Backup, r100.State);
        Assert.Equal(VrrpState.Master, r99.State);
        Assert.Equal(99, r100.Router.LastMasterPriority);
        Assert.Equal(r99.Address, r100.Router.LastMasterAddress);
    }

    [Fact]
    public void PreemptDelay_AcceptsTheLowerMasterUntilTheDelayEndsThenPreempts()
    {
        r100.Options.PreemptDelay = S(10);
        StartAll();
        network.AdvanceTo(S(10.5));
        r100.Router.Stop();
        network.AdvanceTo(S(15));

        r100.Start();
        network.AdvanceTo(S(16.5));
        var firstLowerAdvert = r99.SentAdverts.First(a => a.At + Latency >= S(15)).At + Latency;
        Assert.Equal(S(10.5) + Latency + Skew99 + S(4) + Latency, firstLowerAdvert);
        network.AdvanceTo(firstLowerAdvert + S(10) + S(0.5));
        Assert.Equal(VrrpState.Backup, r100.State);

        network.Advance(S(10));

        // Adverts received within 10 s of the first lower one are accepted (the last at +9 s); the one at +10 s is
        // discarded, so the master-down interval runs out 3.609375 s after the +9 s advert.
        Assert.Equal(firstLowerAdvert + S(9) + MasterDown100, r100.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, r99.State);
    }

    private void StartAll()
    {
        r100.Start();
        r99.Start();
        r98.Start();
    }
}
