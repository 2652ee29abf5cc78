using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>keepalived <c>track_interface</c> on the fake clock: weight 0 faults the instance, a weight moves its priority.</summary>
public sealed class VrrpRouterTrackedInterfaceTests : IDisposable
{
    private readonly InMemoryVrrpNetwork _network = new();
    private RouterHarness _r100 = null!;
    private RouterHarness _r99 = null!;

    [Fact]
    public void UnweightedTrackedInterfaceDownOnMaster_ReleasesWithPriorityZero_AndUpLetsItPreemptAgain()
    {
        Elect(weight: 0);

        _r100.Router.OnTrackedInterfaceChanged("eth1", false);

        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.LinkDown), (_r100.State, _r100.Changes.Last().Change.Reason));
        Assert.Equal("tracked interface eth1 went down", _r100.Changes.Last().Change.Detail);
        Assert.Equal(0, _r100.SentAdverts.Last().Priority);
        Assert.Empty(_r100.Vips.Present);
        _network.AdvanceTo(S(15));
        Assert.Equal(S(10.5) + Latency + Skew99, _r99.BecameMasterAt);

        _r100.Router.OnTrackedInterfaceChanged("eth1", true);
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.LinkUp), (_r100.State, _r100.Changes.Last().Change.Reason));
        _network.AdvanceTo(S(25));
        Assert.Equal(S(15) + MasterDown100, _r100.BecameMasterAt);
        Assert.Equal([("eth1", true)], _r100.Router.TrackedInterfaces.Select(t => (t.Interface.Name, t.Up)));
    }

    [Fact]
    public void NegativeWeight_LowersThePriorityWhileDown_AndTheBackupPreempts()
    {
        Elect(weight: -10);

        _r100.Router.OnTrackedInterfaceChanged("eth1", false);

        Assert.Equal(VrrpState.Master, _r100.State);
        Assert.Equal(90, _r100.Router.EffectivePriority);
        Assert.Equal((S(10.5), (byte)90), (_r100.SentAdverts.Last().At, _r100.SentAdverts.Last().Priority));
        _network.AdvanceTo(S(20));
        Assert.Equal(VrrpState.Master, _r99.State);
        Assert.Equal(VrrpState.Backup, _r100.State);

        _r100.Router.OnTrackedInterfaceChanged("eth1", true);
        Assert.Equal(100, _r100.Router.EffectivePriority);
        _network.AdvanceTo(S(30));
        Assert.Equal(VrrpState.Master, _r100.State);
    }

    [Fact]
    public void PositiveWeight_IsAddedWhileUp_AndTakenAwayWhileDown()
    {
        Build(weight: 5);
        Assert.Equal(105, _r100.Router.EffectivePriority);

        _r100.Router.OnTrackedInterfaceChanged("eth1", false);

        Assert.Equal(100, _r100.Router.EffectivePriority);
    }

    [Fact]
    public void TrackedInterfaceDownBeforeStart_StartsInFault_AndUntrackedInterfacesAreIgnored()
    {
        Build(weight: 0);
        _r100.Router.OnTrackedInterfaceChanged("eth9", false);
        _r100.Router.OnTrackedInterfaceChanged("eth1", false);

        _r100.Start();

        Assert.Equal((VrrpState.Fault, "tracked interface eth1 is down"), (_r100.State, _r100.Changes.Single().Change.Detail));
        _r100.Router.OnLinkChanged(false);
        _r100.Router.OnTrackedInterfaceChanged("eth1", true);
        Assert.Equal(VrrpState.Fault, _r100.State);
        _r100.Router.OnLinkChanged(true);
        Assert.Equal(VrrpState.Backup, _r100.State);
    }

    public void Dispose()
    {
        _r100?.Dispose();
        _r99?.Dispose();
    }

    private void Build(int weight)
    {
        _r100 = _network.AddRouter("10.10.102.10", 100, o => o with { TrackedInterfaces = [new VrrpTrackedInterface("eth1", weight)] });
        _r99 = _network.AddRouter("10.10.102.11", 99);
    }

    private void Elect(int weight)
    {
        Build(weight);
        _r100.Start();
        _r99.Start();
        _network.AdvanceTo(S(10.5));
        Assert.Equal(VrrpState.Master, _r100.State);
    }
}
