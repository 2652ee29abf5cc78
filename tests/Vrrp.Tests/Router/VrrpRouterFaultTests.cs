using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterFaultTests
{
    private static readonly VirtualAddress s_vip = new(SeedOptions.Vip, 24);

    private readonly InMemoryVrrpNetwork _network = new();
    private readonly RouterHarness _r100;
    private readonly RouterHarness _r99;

    public VrrpRouterFaultTests()
    {
        _r100 = _network.AddRouter("10.10.102.10", 100);
        _r99 = _network.AddRouter("10.10.102.11", 99);
    }

    [Fact]
    public void LinkDownOnMaster_ReleasesWithPriorityZeroAndLinkUpPreemptsAgain()
    {
        Elect();
        _r100.Router.OnLinkChanged(false);

        Assert.Equal(VrrpState.Fault, _r100.State);
        Assert.Equal(VrrpTransitionReason.LinkDown, _r100.Changes.Last().Change.Reason);
        Assert.Equal(0, _r100.SentAdverts.Last().Priority);
        Assert.Empty(_r100.Vips.Present);

        _network.AdvanceTo(S(20));

        Assert.Equal(S(10.5) + Latency + Skew99, _r99.BecameMasterAt);
        Assert.True(_r100.Router.Counters.GetDrops(VrrpDropReason.NotListening) >= 8, "adverts are ignored in Fault");
        Assert.Equal(_r100.SentAdverts.Count(), _r100.SentAdverts.Count(a => a.At <= S(10.5)));

        _r100.Router.OnLinkChanged(true);
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.LinkUp), (_r100.State, _r100.Changes.Last().Change.Reason));

        _network.Advance(S(10));

        Assert.Equal(S(20) + MasterDown100, _r100.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, _r99.State);
        Assert.Equal(1, _r100.Router.Counters.GetTransitions(VrrpState.Master, VrrpState.Fault));
        Assert.Equal(1, _r100.Router.Counters.GetTransitions(VrrpState.Fault, VrrpState.Backup));
    }

    [Fact]
    public void StartWithLinkDown_EntersFaultAndLinkUpStartsTheFullTimer()
    {
        _r100.Router.OnLinkChanged(false);
        _r100.Start();
        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.LinkDown), (_r100.State, _r100.Changes.Single().Change.Reason));

        _network.AdvanceTo(S(5));
        _r100.Router.OnLinkChanged(true);
        _network.Advance(S(5));

        Assert.Equal(S(5) + MasterDown100, _r100.BecameMasterAt);
    }

    [Fact]
    public void VipDeletedExternallyOnMaster_ReleasesWithPriorityZeroAndThePeerTakesOverAfterSkew()
    {
        Elect();
        _r100.Vips.Present.Clear();

        _r100.Router.OnAddressRemoved(SeedOptions.Vip);

        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.AddressRemoved), (_r100.State, _r100.Changes.Last().Change.Reason));
        Assert.Equal((S(10.5), (byte)0), (_r100.SentAdverts.Last().At, _r100.SentAdverts.Last().Priority));
        _network.Advance(S(1));
        Assert.Equal(S(10.5) + Latency + Skew99, _r99.BecameMasterAt);
    }

    [Fact]
    public void AddressRemovedThatIsNotOurs_OrWhileBackup_IsIgnored()
    {
        Elect();

        _r100.Router.OnAddressRemoved(System.Net.IPAddress.Parse("10.10.102.10"));
        _r99.Router.OnAddressRemoved(SeedOptions.Vip);

        Assert.Equal(VrrpState.Master, _r100.State);
        Assert.Equal(VrrpState.Backup, _r99.State);
    }

    [Fact]
    public void LowerTrackedPriorityOnMaster_IsAdvertisedAtOnceAndTheBackupPreemptsAfterItsMasterDownInterval()
    {
        Elect();

        _r100.Router.SetTracking(-10, fault: false);

        Assert.Equal(90, _r100.Router.EffectivePriority);
        Assert.Equal((S(10.5), (byte)90), (_r100.SentAdverts.Last().At, _r100.SentAdverts.Last().Priority));

        _network.Advance(S(10));

        // 99 discards the 90 adverts: its timer last restarted on the priority-100 advert sent at 9.609375 s.
        Assert.Equal(MasterDown100 + S(6) + Latency + MasterDown99, _r99.BecameMasterAt);
        Assert.Equal(VrrpState.Backup, _r100.State);
    }

    [Fact]
    public void TrackingFaultOnMaster_ReleasesWithPriorityZeroAndBackupTakesOverAfterSkew()
    {
        Elect();

        _r100.Router.SetTracking(0, fault: true);

        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.TrackingFault), (_r100.State, _r100.Changes.Last().Change.Reason));
        Assert.Equal(0, _r100.SentAdverts.Last().Priority);
        Assert.Empty(_r100.Vips.Present);
        _network.AdvanceTo(S(20));
        Assert.Equal(S(10.5) + Latency + Skew99, _r99.BecameMasterAt);

        _r100.Router.SetTracking(0, fault: false);
        _network.Advance(S(5));

        Assert.Equal(VrrpTransitionReason.MasterDownTimerExpired, _r100.Changes.Last().Change.Reason);
        Assert.Equal(S(20) + MasterDown100, _r100.BecameMasterAt);
    }

    [Fact]
    public void TrackedPriorityChangeInBackup_ShiftsThePendingMasterDownExpiry()
    {
        Elect();
        _r100.Kill();
        _network.AdvanceTo(S(11));

        _r99.Router.SetTracking(-4, fault: false);
        _network.Advance(S(5));

        Assert.Equal(MasterDown100 + S(6) + Latency + S(3) + Skew95, _r99.BecameMasterAt);
        Assert.Equal(95, _r99.SentAdverts.First().Priority);
    }

    [Fact]
    public void TrackingDeltas_AreClampedTo1And254()
    {
        _r100.Router.SetTracking(-500, fault: false);
        Assert.Equal(1, _r100.Router.EffectivePriority);
        _r100.Router.SetTracking(500, fault: false);
        Assert.Equal(254, _r100.Router.EffectivePriority);
    }

    [Fact]
    public void LeftoverVipWithNoMaster_IsKeptAndTheRouterBecomesMaster()
    {
        _r100.Vips.Present.Add(s_vip);

        _r100.Start();
        _network.Advance(S(5));

        Assert.Equal(MasterDown100, _r100.BecameMasterAt);
        Assert.Equal(0, _r100.Vips.Count("remove"));
        Assert.Contains(s_vip, _r100.Vips.Present);
        Assert.Equal(5, _r100.Garp.CountAt(MasterDown100));
        Assert.Equal(1, _r100.Logger.Count("VrrpLeftoverAddressesKept"));
    }

    [Fact]
    public void LeftoverVipWithHigherMasterHeard_IsRemovedAtOnce()
    {
        _r100.Start();
        _network.AdvanceTo(S(5));
        _r99.Vips.Present.Add(s_vip);

        _r99.Start();
        Assert.Contains(s_vip, _r99.Vips.Present);
        _network.Advance(S(5));

        // The first advert after 5 s leaves at 5.609375 s.
        Assert.Equal(new[] { (MasterDown100 + S(2) + Latency, "remove", s_vip) }, _r99.Vips.Operations);
        Assert.Empty(_r99.Vips.Present);
        Assert.Equal(VrrpState.Backup, _r99.State);
    }

    [Fact]
    public void LeftoverVipWithLowerMasterHeard_IsKeptUntilPreemption()
    {
        _r99.Start();
        _network.AdvanceTo(S(5));
        _r100.Vips.Present.Add(s_vip);

        _r100.Start();
        _network.Advance(S(5));

        Assert.Equal(S(5) + MasterDown100, _r100.BecameMasterAt);
        Assert.Equal(0, _r100.Vips.Count("remove"));
        Assert.Contains(s_vip, _r100.Vips.Present);
        Assert.Equal(VrrpState.Backup, _r99.State);
    }

    [Fact]
    public void StopWhileHoldingLeftoverVipInBackup_RemovesIt()
    {
        _r100.Vips.Present.Add(s_vip);
        _r100.Start();

        _r100.Router.Stop();

        Assert.Empty(_r100.Vips.Present);
        Assert.Equal(VrrpState.Initialize, _r100.State);
    }

    [Fact]
    public void AdvertIntervalMismatch_IsCountedAndRaisedAsAConfigurationFaultWithoutEnteringFault()
    {
        var r98 = _network.AddRouter("10.10.102.12", 98, o => o with { AdvertInterval = S(2) });
        r98.Start();
        _r100.Start();

        _network.Advance(S(30));

        // Each side drops the other's adverts: both are master, which is what the operator must be told about.
        Assert.Equal(VrrpState.Master, _r100.State);
        Assert.Equal(VrrpState.Master, r98.State);
        Assert.Contains("advert interval mismatch", _r100.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.Contains("10.10.102.12 advertises 2 s, ours is 1 s", _r100.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.Contains("10.10.102.10 advertises 1 s, ours is 2 s", r98.Router.ConfigurationFault, StringComparison.Ordinal);
        Assert.True(r98.Router.Counters.GetDrops(VrrpDropReason.AdvertIntervalMismatch) >= 25);
        Assert.True(_r100.Router.Counters.GetDrops(VrrpDropReason.AdvertIntervalMismatch) >= 12);

        // Logged at error level, rate-limited: once, plus once more after r98's own transition re-armed the limit.
        Assert.Equal(1, _r100.Logger.Count("VrrpConfigurationFault"));
        Assert.Equal(2, r98.Logger.Count("VrrpConfigurationFault"));
        Assert.All(_r100.Logger.Entries.Where(e => e.EventId.Name == "VrrpConfigurationFault"), e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, e.Level));
    }

    [Fact]
    public void ConfigurationFault_ClearsOnAValidAdvertFromThatPeer()
    {
        Elect();
        _r99.Router.OnDatagram(new AdvertDatagramBuilder { IntervalSeconds = 3, Source = _r100.Address }.Build(), SeedOptions.Group);
        Assert.NotNull(_r99.Router.ConfigurationFault);

        _network.Advance(S(1));

        Assert.Null(_r99.Router.ConfigurationFault);
    }

    [Fact]
    public void UnknownVrid_IsCountedApartFromDrops()
    {
        Elect();

        _r99.Router.OnDatagram(new AdvertDatagramBuilder { VirtualRouterId = 51 }.Build(), SeedOptions.Group);

        Assert.Equal(1, _r99.Router.Counters.UnknownVirtualRouterId);
        Assert.All(_r99.Router.Counters.Snapshot().Drops.Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void DroppedAdvert_DoesNotResetTheMasterDownTimer()
    {
        Elect();
        _r100.Kill();

        // Bogus adverts must not keep a dead master alive (keepalived #562).
        for (var i = 0; i < 5; i++)
        {
            _r99.Router.OnDatagram(new AdvertDatagramBuilder { Source = _r100.Address, CorruptChecksum = true }.Build(), SeedOptions.Group);
            _network.Advance(S(0.5));
        }

        _network.Advance(S(5));
        Assert.Equal(MasterDown100 + S(6) + Latency + MasterDown99, _r99.BecameMasterAt);
        Assert.Equal(5, _r99.Router.Counters.GetDrops(VrrpDropReason.BadChecksum));
    }

    [Fact]
    public void StateChangedHandlers_SeeEveryTransitionInOrderAndCountersMatch()
    {
        Elect();
        _r100.Router.Stop();
        _network.Advance(S(5));

        Assert.Equal(
            new[] { (VrrpState.Initialize, VrrpState.Backup), (VrrpState.Backup, VrrpState.Master), (VrrpState.Master, VrrpState.Initialize) },
            _r100.Changes.Select(c => (c.Change.From, c.Change.To)));
        var snapshot = _r99.Router.Counters.Snapshot();
        Assert.Equal(1, snapshot.Transitions[(VrrpState.Backup, VrrpState.Master)]);
        Assert.Equal(1, snapshot.PriorityZeroReceived);
    }

    [Fact]
    public void ThrowingStateChangedHandler_IsLoggedAndDoesNotBreakTheRouter()
    {
        _r100.Router.StateChanged += _ => throw new InvalidOperationException("handler bug");

        _r100.Start();
        _network.Advance(S(5));

        Assert.Equal(VrrpState.Master, _r100.State);
        Assert.Equal(2, _r100.Logger.Count("VrrpStateChangedHandlerFailed"));
    }

    private void Elect()
    {
        _r100.Start();
        _r99.Start();
        _network.AdvanceTo(S(10.5));
        Assert.Equal(VrrpState.Master, _r100.State);
        Assert.Equal(VrrpState.Backup, _r99.State);
    }
}
