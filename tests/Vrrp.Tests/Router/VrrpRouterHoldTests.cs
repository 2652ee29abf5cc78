using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>Planned handover, hold and release on the fake clock.</summary>
public sealed class VrrpRouterHoldTests
{
    private static readonly VirtualAddress Vip = new(SeedOptions.Vip, 24);

    private readonly InMemoryVrrpNetwork _network = new();

    [Fact]
    public async Task AHandover_MovesTheVipToTheBackupInItsSkewTime_WithTheOldMasterHoldingItUntilTheNewOnesAdvert()
    {
        var (master, backup) = ElectMaster();
        var startedAt = _network.Now;
        var sentBefore = master.SentAdverts.Count();

        var handover = master.Router.HandOver(S(4));
        _network.Advance(S(1));

        Assert.True(handover.IsCompletedSuccessfully);
        Assert.True((await handover).TookOver);
        Assert.Equal(backup.Address, (await handover).NewMaster);
        Assert.Equal(VrrpState.Master, backup.State);
        Assert.Equal(VrrpTransitionReason.MasterReleased, backup.Changes.Last().Change.Reason);
        Assert.Equal(VrrpState.Backup, master.State);
        Assert.Equal(VrrpTransitionReason.PlannedHandover, master.Changes.Last().Change.Reason);
        Assert.Equal(startedAt + Latency + Skew99, backup.BecameMasterAt);

        // No moment without a holder: the old master removed the VIP only after the new one had added it, one
        // network latency later (its advert's way back).
        var added = backup.Vips.Operations.Single(o => o.Operation == "add").At;
        var removed = master.Vips.Operations.Single(o => o.Operation == "remove").At;
        Assert.Equal(added + Latency, removed);
        Assert.DoesNotContain(Vip, master.Vips.Present);
        Assert.Equal(VrrpAdvertisement.PriorityRelease, master.SentAdverts.Skip(sentBefore).Single().Priority);
    }

    [Fact]
    public void AfterAHandover_TheOldMasterStaysHeld_AndTakesTheVipBackOnlyWhenReleased()
    {
        var (master, backup) = ElectMaster();
        master.Router.HandOver(S(4));
        _network.Advance(S(20));

        Assert.True(master.Router.IsHeld);
        Assert.Equal(1, master.Router.EffectivePriority);
        Assert.Equal(VrrpState.Backup, master.State);
        Assert.Equal(VrrpState.Master, backup.State);

        master.Router.Release();
        _network.Advance(MasterDown100 + S(1));

        Assert.False(master.Router.IsHeld);
        Assert.Equal(100, master.Router.EffectivePriority);
        Assert.Equal(VrrpState.Master, master.State);
        Assert.Equal(VrrpState.Backup, backup.State);
    }

    [Fact]
    public async Task AHandover_ReachesANonPreemptingBackupToo()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        var backup = _network.AddRouter("10.10.102.11", 99, o => o with { Preempt = false });
        Elect(master, backup);

        var handover = master.Router.HandOver(S(4));
        _network.Advance(S(1));

        Assert.True((await handover).TookOver);
        Assert.Equal(VrrpState.Master, backup.State);
    }

    [Fact]
    public async Task WithTwoBackups_TheBestOneTakesOver_AndTheOtherFollowsIt()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        var best = _network.AddRouter("10.10.102.11", 99);
        var other = _network.AddRouter("10.10.102.12", 98);
        Elect(master, best, other);

        var handover = master.Router.HandOver(S(4));
        _network.Advance(S(5));

        Assert.Equal(best.Address, (await handover).NewMaster);
        Assert.Equal(VrrpState.Master, best.State);
        Assert.Equal(VrrpState.Backup, other.State);
        Assert.DoesNotContain(other.Changes, c => c.Change.To == VrrpState.Master);
    }

    [Fact]
    public async Task AHandoverNobodyAnswers_TimesOut_AndTheMasterStaysWithItsPriorityRestored()
    {
        var (master, backup) = ElectMaster();
        backup.Kill();
        var startedAt = _network.Now;
        var sentBefore = master.SentAdverts.Count();

        var handover = master.Router.HandOver(S(2.5));
        _network.Advance(S(2.4));
        Assert.False(handover.IsCompleted);
        _network.Advance(S(0.2));

        Assert.True(handover.IsCompletedSuccessfully);
        Assert.False((await handover).TookOver);
        Assert.Equal(VrrpState.Master, master.State);
        Assert.False(master.Router.IsHeld);
        Assert.Equal(0, master.Vips.Count("remove"));
        _network.Advance(S(1));
        var during = master.SentAdverts.Skip(sentBefore).Where(a => a.At < startedAt + S(2.5)).Select(a => a.Priority);
        Assert.All(during, p => Assert.Equal(VrrpAdvertisement.PriorityRelease, p));
        Assert.Equal(100, master.SentAdverts.Last().Priority);
    }

    [Fact]
    public async Task AHandoverOnABackup_EndsAtOnce_WithoutTouchingAnything()
    {
        var (_, backup) = ElectMaster();

        var handover = backup.Router.HandOver(S(4));

        Assert.True(handover.IsCompletedSuccessfully);
        Assert.False((await handover).TookOver);
        Assert.False(backup.Router.IsHeld);
    }

    [Fact]
    public void AHeldBackupWithTheBestPriority_DoesNotPreempt_UntilReleased()
    {
        var (master, _) = ElectMaster();
        var better = _network.AddRouter("10.10.102.12", 120);
        Assert.True(better.Router.Hold());
        better.Start();
        _network.Advance(S(20));

        Assert.Equal(VrrpState.Backup, better.State);
        Assert.Equal(VrrpState.Master, master.State);

        better.Router.Release();
        _network.Advance(MasterDown100 + S(1));

        Assert.Equal(VrrpState.Master, better.State);
        Assert.Equal(VrrpState.Backup, master.State);
    }

    [Fact]
    public void AHeldBackup_StillTakesTheVip_WhenNoOtherRouterIsLeft()
    {
        var (master, backup) = ElectMaster();
        backup.Router.Hold();
        var killedAt = _network.Now;

        master.Kill();
        _network.Advance(S(5));

        Assert.Equal(VrrpState.Master, backup.State);
        // Master-down interval at priority 1: 3 s + (256 - 1) / 256 s.
        Assert.InRange(backup.BecameMasterAt!.Value - killedAt, S(3), S(4) + Latency);
        Assert.Equal(1, backup.SentAdverts.Last().Priority);
    }

    [Fact]
    public void AHeldMaster_AdvertisesPriorityOne_SoAPreemptingBackupTakesOverAfterItsMasterDownInterval()
    {
        var (master, backup) = ElectMaster();

        master.Router.Hold();
        _network.Advance(MasterDown99 + S(1));

        Assert.Equal(VrrpState.Master, backup.State);
        Assert.Equal(VrrpState.Backup, master.State);
        Assert.Equal(0, master.Router.Counters.PriorityZeroSent);
    }

    [Fact]
    public void AHold_SurvivesAnUpgrade()
    {
        var (_, backup) = ElectMaster();
        backup.Router.Hold();
        var point = backup.Router.Freeze();
        var successor = _network.Reconfigure(backup, o => o);

        successor.Router.Resume(point);

        Assert.True(point.Held);
        Assert.True(successor.Router.IsHeld);
        Assert.Equal(1, successor.Router.EffectivePriority);
    }

    [Fact]
    public async Task AnAddressOwner_CannotBeHeldNorHandOver()
    {
        var owner = _network.AddRouter("10.10.102.10", 255);
        owner.Start();

        Assert.False(owner.Router.Hold());
        Assert.False((await owner.Router.HandOver(S(4))).TookOver);
        Assert.Equal(VrrpState.Master, owner.State);
    }

    private (RouterHarness Master, RouterHarness Backup) ElectMaster()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        var backup = _network.AddRouter("10.10.102.11", 99);
        Elect(master, backup);
        return (master, backup);
    }

    private void Elect(RouterHarness master, params RouterHarness[] backups)
    {
        master.Start();
        foreach (var backup in backups)
        {
            backup.Start();
        }

        _network.Advance(MasterDown100 + S(2));
        Assert.Equal(VrrpState.Master, master.State);
    }
}
