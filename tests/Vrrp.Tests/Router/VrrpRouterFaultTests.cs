using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterFaultTests
{
    private static readonly VirtualAddress Vip = new(SeedOptions.Vip, 24);

    private readonly InMemoryVrrpNetwork network = new();
    private readonly RouterHarness r100;
    private readonly RouterHarness r99;

    public VrrpRouterFaultTests()
    {
        r100 = network.AddRouter("10.10.102.10", 100);
        r99 = network.AddRouter("10.10.102.11", 99);
    }

    [Fact]
    public void LinkDownOnMaster_ReleasesWithPriorityZeroAndLinkUpPreemptsAgain()
    {
        Elect();
        r100.Router.OnLinkChanged(false);

        Assert.Equal(VrrpState.Fault, r100.State);
        Assert.Equal(VrrpTransitionReason.LinkDown, r100.Changes.Last().Change.Reason);
        Assert.Equal(0, r100.SentAdverts.Last().Priority);
        Assert.Empty(r100.Vips.Present);

        network.AdvanceTo(S(20));

        Assert.Equal(S(10.5) + Latency + Skew99, r99.BecameMasterAt);
        Assert.True(r100.Router.Counters.GetDrops(VrrpDropReason.NotListening) >= 8, "adverts are ignored in Fault");
        Assert.Equal(r100.SentAdverts.Count(), r100.SentAdverts.Count(a => a.At <= S(10.5)));

        r100.Router.OnLinkChanged(true);
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.LinkUp), (r100.State, r100.Changes.Last().Change.Reason));

        network.Advance(S(10));

        Assert.Equal(S(20) + MasterDown100, r100.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, r99.State);
        Assert.Equal(1, r100.Router.Counters.GetTransitions(VrrpState.Master, VrrpState.Fault));
        Assert.Equal(1, r100.Router.Counters.GetTransitions(VrrpState.Fault, VrrpState.Backup));
    }

    [Fact]
    public void StartWithLinkDown_EntersFaultAndLinkUpStartsTheFullTimer()
    {
        r100.Router.OnLinkChanged(false);
        r100.Start();
        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.LinkDown), (r100.State, r100.Changes.Single().Change.Reason));

        network.AdvanceTo(S(5));
        r100.Router.OnLinkChanged(true);
        network.Advance(S(5));

        Assert.Equal(S(5) + MasterDown100, r100.BecameMasterAt);
    }

    [Fact]
    public void VipDeletedExternallyOnMaster_ReleasesWithPriorityZeroAndThePeerTakesOverAfterSkew()
    {
        Elect();
        r100.Vips.Present.Clear();

        r100.Router.OnAddressRemoved(SeedOptions.Vip);

        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.AddressRemoved), (r100.State, r100.Changes.Last().Change.Reason));
        Assert.Equal((S(10.5), (byte)0), (r100.SentAdverts.Last().At, r100.SentAdverts.Last().Priority));
        network.Advance(S(1));
        Assert.Equal(S(10.5) + Latency + Skew99, r99.BecameMasterAt);
    }

    [Fact]
    public void AddressRemovedThatIsNotOurs_OrWhileBackup_IsIgnored()
    {
        Elect();

        r100.Router.OnAddressRemoved(System.Net.IPAddress.Parse("10.10.102.10"));
        r99.Router.OnAddressRemoved(SeedOptions.Vip);

        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Backup, r99.State);
    }

    [Fact]
    public void LowerTrackedPriorityOnMaster_IsAdvertisedAtOnceAndTheBackupPreemptsAfterItsMasterDownInterval()
    {
        Elect();

        r100.Router.SetTracking(-10, fault: false);

        Assert.Equal(90, r100.Router.EffectivePriority);
        Assert.Equal((S(10.5), (byte)90), (r100.SentAdverts.Last().At, r100.SentAdverts.Last().Priority));

        network.Advance(S(10));

        // 99 discards the 90 adverts: its timer last restarted on the priority-100 advert sent at 9.609375 s.
        Assert.Equal(MasterDown100 + S(6) + Latency + MasterDown99, r99.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, r100.State);
    }

    [Fact]
    public void TrackingFaultOnMaster_ReleasesWithPriorityZeroAndBackupTakesOverAfterSkew()
    {
        Elect();

        r100.Router.SetTracking(0, fault: true);

        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.TrackingFault), (r100.State, r100.Changes.Last().Change.Reason));
        Assert.Equal(0, r100.SentAdverts.Last().Priority);
        Assert.Empty(r100.Vips.Present);
        network.AdvanceTo(S(20));
        Assert.Equal(S(10.5) + Latency + Skew99, r99.BecameMasterAt);

        r100.Router.SetTracking(0, fault: false);
        network.Advance(S(5));

        Assert.Equal(VrrpTransitionReason.MasterDownTimerExpired, r100.Changes.Last().Change.Reason);
        Assert.Equal(S(20) + MasterDown100, r100.BecameMasterAt);
    }

    [Fact]
    public void TrackedPriorityChangeInBackup_ShiftsThePendingMasterDownExpiry()
    {
        Elect();
        r100.Kill();
        network.AdvanceTo(S(11));

        r99.Router.SetTracking(-4, fault: false);
        network.Advance(S(5));

        Assert.Equal(MasterDown100 + S(6) + Latency + S(3) + Skew95, r99.BecameMasterAt);
        Assert.Equal(95, r99.SentAdverts.First().Priority);
    }

    [Fact]
    public void TrackingDeltas_AreClampedTo1And254()
    {
        r100.Router.SetTracking(-500, fault: false);
        Assert.Equal(1, r100.Router.EffectivePriority);
        r100.Router.SetTracking(500, fault: false);
        Assert.Equal(254, r100.Router.EffectivePriority);
    }

    [Fact]
    public void LeftoverVipWithNoMaster_IsKeptAndTheRouterBecomesMaster()
    {
        r100.Vips.Present.Add(Vip);

        r100.Start();
        network.Advance(S(5));

        Assert.Equal(MasterDown100, r100.BecameMasterAt);
        Assert.Equal(0, r100.Vips.Count("remove"));
        Assert.Contains(Vip, r100.Vips.Present);
        Assert.Equal(5, r100.Garp.CountAt(MasterDown100));
        Assert.Equal(1, r100.Logger.Count("VrrpLeftoverAddressesKept"));
    }

    [Fact]
    public void LeftoverVipWithHigherMasterHeard_IsRemovedAtOnce()
    {
        r100.Start();
        network.AdvanceTo(S(5));
        r99.Vips.Present.Add(Vip);

        r99.Start();
        Assert.Contains(Vip, r99.Vips.Present);
        network.Advance(S(5));

        // The first advert after 5 s leaves at 5.609375 s.
        Assert.Equal(new[] { (MasterDown100 + S(2) + Latency, "remove", Vip) }, r99.Vips.Operations);
        Assert.Empty(r99.Vips.Present);
        Assert.Equal(VrrpState.Backup, r99.State);
    }

    [Fact]
    public void LeftoverVipWithLowerMasterHeard_IsKeptUntilPreemption()
    {
        r99.Start();
        network.AdvanceTo(S(5));
        r100.Vips.Present.Add(Vip);

        r100.Start();
        network.Advance(S(5));

        Assert.Equal(S(5) + MasterDown100, r100.BecameMasterAt);
        Assert.Equal(0, r100.Vips.Count("remove"));
        Assert.Contains(Vip, r100.Vips.Present);
        Assert.Equal(VrrpState.Backup, r99.State);
    }

    [Fact]
    public void StopWhileHoldingLeftoverVipInBackup_RemovesIt()
    {
        r100.Vips.Present.Add(Vip);
        r100.Start();

        r100.Router.Stop();

        Assert.Empty(r100.Vips.Present);
        Assert.Equal(VrrpState.Initialize, r100.State);
    }

    [Fact]
    public void AdvertIntervalMismatch_IsCountedAndRaisedAsAConfigurationFaultWithoutEnteringFault()
    {
        var r98 = network.AddRouter("10.10.102.12", 98, o => o.AdvertInterval = S(2));
        r98.Start();
        r100.Start();

        network.Advance(S(30));

        // Each side drops the other's adverts: both are master, which is what the operator must be told about.
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Master, r98.State);
        Assert.Contains("advert interval mismatch", r100.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.Contains("10.10.102.12 advertises 2 s, ours is 1 s", r100.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.Contains("10.10.102.10 advertises 1 s, ours is 2 s", r98.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.True(r98.Router.Counters.GetDrops(VrrpDropReason.AdvertIntervalMismatch) >= 25);
        Assert.True(r100.Router.Counters.GetDrops(VrrpDropReason.AdvertIntervalMismatch) >= 12);

        // Logged at error level, rate-limited: once, plus once more after r98's own transition re-armed the limit.
        Assert.Equal(1, r100.Logger.Count("VrrpConfigurationFault"));
        Assert.Equal(2, r98.Logger.Count("VrrpConfigurationFault"));
        Assert.All(r100.Logger.Entries.Where(e => e.EventId.Name == "VrrpConfigurationFault"), e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, e.Level));
    }

    [Fact]
    public void ConfigurationFault_ClearsOnAValidAdvertFromThatPeer()
    {
        Elect();
        r99.Router.OnDatagram(new AdvertDatagramBuilder { IntervalSeconds = 3, Source = r100.Address }.Build(), SeedOptions.Group);
        Assert.NotNull(r99.Router.ConfigurationFault);

        network.Advance(S(1));

        Assert.Null(r99.Router.ConfigurationFault);
    }

    [Fact]
    public void UnknownVrid_IsCountedApartFromDrops()
    {
        Elect();

        r99.Router.OnDatagram(new AdvertDatagramBuilder { VirtualRouterId = 51 }.Build(), SeedOptions.Group);

        Assert.Equal(1, r99.Router.Counters.UnknownVirtualRouterId);
        Assert.All(r99.Router.Counters.Snapshot().Drops.Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void DroppedAdvert_DoesNotResetTheMasterDownTimer()
    {
        Elect();
        r100.Kill();

        // Bogus adverts must not keep a dead master alive (keepalived #562).
        for (var i = 0; i < 5; i++)
        {
            r99.Router.OnDatagram(new AdvertDatagramBuilder { Source = r100.Address, CorruptChecksum = true }.Build(), SeedOptions.Group);
            network.Advance(S(0.5));
        }

        network.Advance(S(5));
        Assert.Equal(MasterDown100 + S(6) + Latency + MasterDown99, r99.BecameMasterAt);
        Assert.Equal(5, r99.Router.Counters.GetDrops(VrrpDropReason.BadChecksum));
    }

    [Fact]
    public void StateChangedHandlers_SeeEveryTransitionInOrderAndCountersMatch()
    {
        Elect();
        r100.Router.Stop();
        network.Advance(S(5));

        Assert.Equal(
            new[] { (VrrpState.Initialize, VrrpState.Backup), (VrrpState.Backup, VrrpState.Master), (VrrpState.Master, VrrpState.Initialize) },
            r100.Changes.Select(c => (c.Change.From, c.Change.To)));
        var snapshot = r99.Router.Counters.Snapshot();
        Assert.Equal(1, snapshot.Transitions[(VrrpState.Backup, VrrpState.Master)]);
        Assert.Equal(1, snapshot.PriorityZeroReceived);
    }

    [Fact]
    public void ThrowingStateChangedHandler_IsLoggedAndDoesNotBreakTheRouter()
    {
        r100.Router.StateChanged += _ => throw new InvalidOperationException("handler bug");

        r100.Start();
        network.Advance(S(5));

        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(2, r100.Logger.Count("VrrpStateChangedHandlerFailed"));
    }

    private void Elect()
    {
        r100.Start();
        r99.Start();
        network.AdvanceTo(S(10.5));
        Assert.Equal(VrrpState.Master, r100.State);
        Assert.Equal(VrrpState.Backup, r99.State);
    }
}
