using System.Net;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterMasterTests
{
    private readonly InMemoryVrrpNetwork _network = new();

    [Fact]
    public void EqualPriority_TieBreakGoesToTheHigherAddress()
    {
        var low = _network.AddRouter("10.10.102.10", 100);
        var high = _network.AddRouter("10.10.102.11", 100);
        low.Start();
        high.Start();

        _network.Advance(S(10));

        // Same skew: both time out at the same instant and advertise; each then hears the other.
        Assert.Equal(MasterDown100, low.BecameMasterAt);
        Assert.Equal(MasterDown100, high.BecameMasterAt);
        Assert.Equal(VrrpState.Master, high.State);
        Assert.Equal(VrrpState.Backup, low.State);
        var stepDown = low.Changes.Last();
        Assert.Equal((MasterDown100 + Latency, VrrpTransitionReason.HigherPriorityAdvert), (stepDown.At, stepDown.Change.Reason));
        Assert.Empty(low.Vips.Present);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), high.Vips.Present);

        // The higher address heard an equal priority from a lower address: it re-asserted at once with a GARP burst.
        Assert.Contains(high.SentAdverts, a => a.At == MasterDown100 + Latency);
        Assert.Equal(5, high.Garp.CountAt(MasterDown100 + Latency));
        Assert.Equal(0, low.Router.Counters.PriorityZeroSent);
    }

    [Fact]
    public void AddressOwner_BecomesMasterImmediatelyAtStart()
    {
        var owner = _network.AddRouter("10.10.102.10", 255);
        var backup = _network.AddRouter("10.10.102.11", 100);
        owner.Start();
        backup.Start();

        Assert.Equal(VrrpState.Master, owner.State);
        Assert.Equal((TimeSpan.Zero, VrrpTransitionReason.AddressOwner), (owner.BecameMasterAt!.Value, owner.Changes.Single().Change.Reason));
        Assert.Equal(255, owner.Router.EffectivePriority);

        _network.Advance(S(10));

        Assert.Equal(VrrpState.Backup, backup.State);
        Assert.Equal(255, backup.Router.LastMasterPriority);
        Assert.All(owner.SentAdverts, a => Assert.Equal(255, a.Priority));
        Assert.Equal(11, owner.SentAdverts.Count());
    }

    [Fact]
    public void OwnerIgnoresTrackingDeltas()
    {
        var owner = _network.AddRouter("10.10.102.10", 255);
        owner.Start();

        owner.Router.SetTracking(-50, fault: false);

        Assert.Equal(255, owner.Router.EffectivePriority);
    }

    [Fact]
    public void MasterHearingLowerPriority_ReAdvertisesAtOnceAndSendsTwoGarpBursts()
    {
        var master = ElectSingleMaster();
        var injectedAt = _network.Now;

        master.Router.OnDatagram(new AdvertDatagramBuilder { Priority = 50, Source = IPAddress.Parse("10.10.102.99") }.Build(), SeedOptions.Group);

        Assert.Equal(VrrpState.Master, master.State);
        Assert.Contains(master.SentAdverts, a => a.At == injectedAt);
        Assert.Equal(5, master.Garp.CountAt(injectedAt));
        Assert.Equal(1, master.Logger.Count("VrrpForcingNewElection"));

        _network.Advance(S(6));

        Assert.Equal(5, master.Garp.CountAt(injectedAt + S(5)));
    }

    [Fact]
    public void MasterHearingPriorityZero_AdvertisesAtOnceWithoutGarp()
    {
        var master = ElectSingleMaster();
        var injectedAt = _network.Now;
        var garps = master.Garp.Sent.Count;

        master.Router.OnDatagram(new AdvertDatagramBuilder { Priority = 0, Source = IPAddress.Parse("10.10.102.99") }.Build(), SeedOptions.Group);

        Assert.Equal(VrrpState.Master, master.State);
        Assert.Contains(master.SentAdverts, a => a.At == injectedAt && a.Priority == 100);
        Assert.Equal(garps, master.Garp.Sent.Count);
        Assert.Equal(1, master.Router.Counters.PriorityZeroReceived);
    }

    [Fact]
    public void SplitBrain_HealsToTheHigherPriorityOnceAdvertsFlowAgain()
    {
        var (r100, r99) = SplitBrainUntil(S(15.1));

        // The last advert 99 heard left at 9.609375 s.
        Assert.Equal(MasterDown100 + S(6) + Latency + MasterDown99, r99.BecameMasterAt);
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Master, r99.State);

        _network.Heal();
        _network.Advance(S(5));

        // 99 advertises first (at 15.222756 s): 100 hears a lower priority, re-advertises and re-GARPs, 99 steps down.
        var r99Advert = r99.SentAdverts.First(a => a.At >= S(15.1)).At;
        Assert.Equal(5, r100.Garp.CountAt(r99Advert + Latency));
        var stepDown = r99.Changes.Last();
        Assert.Equal((r99Advert + Latency + Latency, VrrpState.Backup, VrrpTransitionReason.HigherPriorityAdvert), (stepDown.At, stepDown.Change.To, stepDown.Change.Reason));
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Empty(r99.Vips.Present);
    }

    [Fact]
    public void SplitBrain_WhenTheWinnersAdvertArrivesFirst_TheLoserSendsAStepDownNoticeAndTheWinnerReGarps()
    {
        var (r100, r99) = SplitBrainUntil(S(15.5));
        Assert.Equal(VrrpState.Master, r99.State);

        _network.Heal();
        _network.Advance(S(5));

        // 100 advertises first (at 15.609375 s), before 99's next advert: 99 steps down at once, but with one advert at
        // its own priority, so 100 hears a lower priority and re-claims the VIP for the hosts that learnt 99's MAC.
        var r100Advert = r100.SentAdverts.First(a => a.At >= S(15.5)).At;
        var stepDown = r99.Changes.Last();
        Assert.Equal((r100Advert + Latency, VrrpState.Backup), (stepDown.At, stepDown.Change.To));
        Assert.Contains(r99.SentAdverts, a => a.At == r100Advert + Latency && a.Priority == 99);
        Assert.DoesNotContain(r99.SentAdverts, a => a.At > r100Advert + Latency);
        Assert.Equal(5, r100.Garp.CountAt(r100Advert + Latency + Latency));
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Empty(r99.Vips.Present);
    }

    [Fact]
    public void WithoutHigherPrioritySendAdvert_APreemptedMasterStepsDownSilently()
    {
        var r99 = _network.AddRouter("10.10.102.11", 99, o => o with { HigherPrioritySendAdvert = false });
        r99.Start();
        _network.AdvanceTo(S(5));
        var r100 = _network.AddRouter("10.10.102.10", 100);
        r100.Start();
        _network.Advance(S(5));

        var stepDown = r99.Changes.Last();
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.HigherPriorityAdvert), (stepDown.Change.To, stepDown.Change.Reason));
        Assert.DoesNotContain(r99.SentAdverts, a => a.At >= stepDown.At);
        Assert.Equal(0, r100.Logger.Count("VrrpForcingNewElection"));
    }

    [Fact]
    public void TheLastTransition_IsRecordedWithTheClocksTime_BeforeTheStateItLeadsToCanBeRead()
    {
        var router = _network.AddRouter("10.10.102.10", 100);
        Assert.Null(router.Router.LastTransition);
        router.Start();
        Assert.Equal((VrrpState.Initialize, VrrpState.Backup), (router.Router.LastTransition!.Change.From, router.Router.LastTransition.Change.To));

        _network.Advance(S(5));

        var last = router.Router.LastTransition!;
        Assert.Equal((VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDownTimerExpired), (last.Change.From, last.Change.To, last.Change.Reason));
        Assert.Equal(MasterDown100, last.At - (_network.Time.GetUtcNow() - _network.Now));
    }

    /// <summary>Priorities 100 and 99 elected, then cut off from each other at 10.5 s until <paramref name="until"/>.</summary>
    private (RouterHarness R100, RouterHarness R99) SplitBrainUntil(TimeSpan until)
    {
        var r100 = _network.AddRouter("10.10.102.10", 100);
        var r99 = _network.AddRouter("10.10.102.11", 99);
        r100.Start();
        r99.Start();
        _network.AdvanceTo(S(10.5));
        _network.Partition(r100, r99);
        _network.AdvanceTo(until);
        return (r100, r99);
    }

    [Fact]
    public void GarpRefresh_RepeatsWhileMaster()
    {
        var master = _network.AddRouter("10.10.102.10", 100, o => o with
        {
            GarpMasterDelay = TimeSpan.Zero,
            GarpMasterRefresh = S(2),
            GarpMasterRefreshRepeat = 2,
        });
        master.Start();

        _network.AdvanceTo(MasterDown100 + S(6.5));

        Assert.Equal(5, master.Garp.CountAt(MasterDown100));
        Assert.Equal(new[] { 2, 2, 2 }, new[] { 2, 4, 6 }.Select(k => master.Garp.CountAt(MasterDown100 + S(k))));
        Assert.Equal(11, master.Garp.Sent.Count);
    }

    [Fact]
    public void AMasterStalledForFiveIntervals_SendsOneAdvertOnWakeThenOnePerInterval()
    {
        var master = ElectSingleMaster();
        var stalledAt = _network.Now;

        _network.Time.Stall(S(5));
        var woke = _network.Now;
        _network.Advance(S(2.5));

        // The five intervals it slept through are not made up for: one advert at the wake, then the interval again.
        var sent = master.SentAdverts.Where(a => a.At > stalledAt).Select(a => a.At - woke).ToArray();
        Assert.Equal([TimeSpan.Zero, S(1), S(2)], sent);
    }

    private RouterHarness ElectSingleMaster()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        master.Start();
        _network.AdvanceTo(S(10.5));
        Assert.Equal(VrrpState.Master, master.State);
        return master;
    }
}
