using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterHandoverTests
{
    private readonly InMemoryVrrpNetwork _network = new();

    [Fact]
    public void AMasterResumedByItsSuccessor_KeepsTheAdvertScheduleAndSendsNothingElse()
    {
        var (master, backup) = ElectMaster();
        _network.Advance(S(0.4));
        var point = master.Router.Freeze();
        var frozenAt = _network.Now;
        var lastBefore = master.SentAdverts.Last().At;
        Assert.Equal(VrrpState.Master, point.State);

        _network.Advance(S(0.3));
        Assert.DoesNotContain(master.SentAdverts, a => a.At > frozenAt);
        var successor = _network.Reconfigure(master, o => o);
        successor.Router.Resume(point);
        _network.Advance(S(5));

        Assert.Equal(VrrpState.Master, successor.State);
        Assert.Equal(VrrpTransitionReason.HandedOver, successor.Changes.Single().Change.Reason);
        Assert.Contains(new VirtualAddress(SeedOptions.Vip, 24), successor.Vips.Present);
        Assert.Empty(successor.Garp.Sent);
        Assert.Equal(0, successor.Router.Counters.PriorityZeroSent);
        Assert.Equal(0, successor.Router.Counters.GetTransitions(VrrpState.Initialize, VrrpState.Master));
        // One advert per second, on the old process's schedule: the first due one second after the last before the freeze.
        var after = successor.SentAdverts.Where(a => a.At > frozenAt).Select(a => a.At).ToArray();
        Assert.Equal(5, after.Length);
        Assert.Equal(lastBefore + S(1), after[0]);
        Assert.All(after.Zip(after.Skip(1)), pair => Assert.Equal(S(1), pair.Second - pair.First));
        Assert.Equal(VrrpState.Backup, backup.State);
        Assert.Single(backup.Changes);
    }

    [Fact]
    public void AThawedMaster_AdvertisesOnceAtOnceAndThenEverySecond()
    {
        var (master, backup) = ElectMaster();
        master.Router.Freeze();
        _network.Advance(S(2.5));
        var thawedAt = _network.Now;

        master.Router.Thaw();
        _network.Advance(S(3));

        var after = master.SentAdverts.Where(a => a.At >= thawedAt).Select(a => a.At).ToArray();
        // The overdue one at once (the timer's smallest due time, a tick), then the schedule starts over from now.
        Assert.Equal(4, after.Length);
        Assert.InRange(after[0] - thawedAt, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal([thawedAt + S(1), thawedAt + S(2), thawedAt + S(3)], after[1..]);
        Assert.Equal(VrrpState.Master, master.State);
        Assert.Equal(VrrpState.Backup, backup.State);
    }

    [Fact]
    public void AFrozenRouter_IgnoresAdvertsUntilThawed()
    {
        var (master, _) = ElectMaster();
        master.Router.Freeze();
        var received = master.Router.Counters.Snapshot().AdvertsReceived;

        master.Router.OnDatagram(new AdvertDatagramBuilder { Priority = 200, Source = System.Net.IPAddress.Parse("10.10.102.99") }.Build(), SeedOptions.Group);

        Assert.Equal(VrrpState.Master, master.State);
        Assert.Equal(received, master.Router.Counters.Snapshot().AdvertsReceived);
    }

    [Fact]
    public void ABackupResumePoint_StartsTheSuccessorAsAFreshBackup()
    {
        var (_, backup) = ElectMaster();
        var point = backup.Router.Freeze();
        var successor = _network.Reconfigure(backup, o => o);

        successor.Router.Resume(point);
        _network.Advance(S(10));

        Assert.Equal(VrrpState.Backup, successor.State);
        Assert.Equal(VrrpTransitionReason.Startup, successor.Changes.Single().Change.Reason);
    }

    private (RouterHarness Master, RouterHarness Backup) ElectMaster()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        var backup = _network.AddRouter("10.10.102.11", 99);
        master.Start();
        backup.Start();
        _network.Advance(MasterDown100 + S(2));
        Assert.Equal(VrrpState.Master, master.State);
        return (master, backup);
    }
}
