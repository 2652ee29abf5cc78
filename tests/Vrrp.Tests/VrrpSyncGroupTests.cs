using System.Net;
using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests;

/// <summary>
/// Two nodes with two instances each (VI_1 and VI_2, one VIP each) in one sync group per node, on the fake clock:
/// the members change state together as keepalived's <c>vrrp_sync_group</c> members do.
/// </summary>
public sealed class VrrpSyncGroupTests : IDisposable
{
    private readonly InMemoryVrrpNetwork _network = new();
    private readonly RouterHarness _a100;
    private readonly RouterHarness _b100;
    private readonly RouterHarness _a99;
    private readonly RouterHarness _b99;
    private readonly List<VrrpSyncGroup> _groups = [];

    public VrrpSyncGroupTests()
    {
        _a100 = _network.AddRouter("10.10.102.10", 100);
        _b100 = _network.AddRouter("10.10.102.10", 100, SecondInstance);
        _a99 = _network.AddRouter("10.10.102.11", 99);
        _b99 = _network.AddRouter("10.10.102.11", 99, SecondInstance);
    }

    private RouterHarness[] Node100 => [_a100, _b100];

    private RouterHarness[] Node99 => [_a99, _b99];

    [Fact]
    public void BothMembersBecomeMasterTogether_OnlyOnceTheLastMemberIsReady()
    {
        Group("g100", Node100);
        _a100.Start();
        _network.AdvanceTo(S(2));
        _b100.Start();
        _network.AdvanceTo(S(10));

        // VI_1's timer expired at 3.61 s, but VI_2 was not ready before 2 s + 3.61 s: both went master then.
        Assert.Equal(S(2) + MasterDown100, _b100.BecameMasterAt);
        Assert.Equal(S(2) + MasterDown100, _a100.BecameMasterAt);
        Assert.Equal(VrrpTransitionReason.SyncGroup, _a100.Changes.Last().Change.Reason);
        Assert.Equal(1, _a100.Logger.Count("VrrpSyncGroupWaiting"));
    }

    [Fact]
    public void OneMemberFaults_TheWholeGroupReleasesWithPriorityZeroAndThePeerGroupTakesOverInItsSkewTime()
    {
        ElectNode100();

        _b100.Router.OnLinkChanged(false);

        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.LinkDown), (_b100.State, _b100.Changes.Last().Change.Reason));
        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.SyncGroup), (_a100.State, _a100.Changes.Last().Change.Reason));
        Assert.Contains("VI_2 is in fault", _a100.Changes.Last().Change.Detail, StringComparison.Ordinal);
        Assert.All(Node100, r => Assert.Equal(0, r.SentAdverts.Last().Priority));
        Assert.All(Node100, r => Assert.Empty(r.Vips.Present));

        _network.AdvanceTo(S(15));

        Assert.All(Node99, r => Assert.Equal(S(10.5) + Latency + Skew99, r.BecameMasterAt));
        Assert.All(Node100, r => Assert.Equal(VrrpState.Fault, r.State));
    }

    [Fact]
    public void RecoveryOfOneFaultedMember_KeepsTheGroupInFaultUntilTheLastRecovers_ThenAllPreemptTogether()
    {
        ElectNode100();
        _a100.Router.OnLinkChanged(false);
        _b100.Router.SetTracking(0, fault: true);
        _network.AdvanceTo(S(12));

        _a100.Router.OnLinkChanged(true);
        Assert.All(Node100, r => Assert.Equal(VrrpState.Fault, r.State));

        _b100.Router.SetTracking(0, fault: false);
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.TrackingRecovered), (_b100.State, _b100.Changes.Last().Change.Reason));
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.SyncGroup), (_a100.State, _a100.Changes.Last().Change.Reason));

        _network.AdvanceTo(S(20));

        Assert.All(Node100, r => Assert.Equal(S(12) + MasterDown100, r.BecameMasterAt));
        Assert.All(Node99, r => Assert.Equal(VrrpState.Backup, r.State));
    }

    [Fact]
    public void AMasterSteppingDownToBackup_TakesTheOtherMastersWithItWithoutPriorityZero()
    {
        ElectNode100();
        var releasesBefore = _b100.SentAdverts.Count(a => a.Priority == 0);

        // VI_1's peer preempts: 150 beats 100.
        _a100.Router.OnDatagram(AdvertFrom(_a99, 150), SeedOptions.Group);

        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.HigherPriorityAdvert), (_a100.State, _a100.Changes.Last().Change.Reason));
        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.SyncGroup), (_b100.State, _b100.Changes.Last().Change.Reason));
        Assert.Equal(releasesBefore, _b100.SentAdverts.Count(a => a.Priority == 0));
        Assert.Empty(_b100.Vips.Present);
    }

    [Fact]
    public void AMemberThatStillHearsItsMaster_HoldsTheOthersInBackup_UntilItsMasterIsGoneToo()
    {
        ElectNode100();
        _network.Partition(_a100, _a99);
        _network.AdvanceTo(S(30));

        Assert.All(Node99, r => Assert.Equal(VrrpState.Backup, r.State));
        Assert.True(_a99.Router.Counters.MasterDownExpiries >= 2, "VI_1's timer expired, the group kept it backup");

        _b100.Kill();
        _network.AdvanceTo(S(40));

        // VI_2's peer saw its last advert at 29.61 s; it was the last member not ready, and takes VI_1 along.
        Assert.Equal(_b99.BecameMasterAt, _a99.BecameMasterAt);
        Assert.All(Node99, r => Assert.Equal(VrrpState.Master, r.State));
    }

    [Fact]
    public void AMemberStartingWhileAnotherIsInFault_StartsInFault()
    {
        Group("g100", Node100);
        _a100.Router.OnTrackedInterfaceChanged("eth1", false);
        _b100.Router.OnLinkChanged(false);
        _b100.Start();
        _a100.Start();

        Assert.Equal((VrrpState.Fault, VrrpTransitionReason.SyncGroup), (_a100.State, _a100.Changes.Single().Change.Reason));
        Assert.Equal(VrrpState.Fault, _groups[0].State);
    }

    [Fact]
    public void LeavingTheGroup_EndsAFaultOnlyTheGroupImposed()
    {
        var group = Group("g100", Node100);
        ElectNode100(grouped: false);
        _b100.Router.OnLinkChanged(false);
        Assert.Equal(VrrpState.Fault, _a100.State);

        group.Dispose();

        Assert.Equal((VrrpState.Backup, VrrpTransitionReason.SyncGroup), (_a100.State, _a100.Changes.Last().Change.Reason));
        Assert.Equal(VrrpState.Fault, _b100.State);
        Assert.Null(_a100.Router.SyncGroupName);
    }

    [Fact]
    public void GroupState_IsFaultWhileAnyMemberIs_MasterWhenAllAre()
    {
        var group = Group("g100", Node100);
        var states = new List<VrrpState>();
        group.StateChanged += states.Add;
        Assert.Equal(VrrpState.Initialize, group.State);
        ElectNode100(grouped: false);
        Assert.Equal(VrrpState.Master, group.State);
        Assert.Equal(["VI_1", "VI_2"], group.Instances);

        _a100.Router.OnLinkChanged(false);

        Assert.Equal(VrrpState.Fault, group.State);
        Assert.True(group.Syncs >= 1);
        Assert.Equal([VrrpState.Backup, VrrpState.Master, VrrpState.Fault], states);
    }

    [Fact]
    public void AGroupNeedsDistinctMembers()
    {
        Assert.Throws<ArgumentException>(() => new VrrpSyncGroup("g", [_a100.Router, _a100.Router], new ListLogger()));
        Assert.Throws<ArgumentException>(() => new VrrpSyncGroup("g", Array.Empty<VrrpRouter>(), new ListLogger()));
    }

    public void Dispose()
    {
        foreach (var group in _groups)
        {
            group.Dispose();
        }

        foreach (var r in (RouterHarness[])[.. Node100, .. Node99])
        {
            r.Dispose();
        }
    }

    private static VrrpInstanceOptions SecondInstance(VrrpInstanceOptions o) => o with
    {
        Name = "VI_2",
        VirtualRouterId = 168,
        VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.10.102.243"), 24)],
    };

    private VrrpSyncGroup Group(string name, RouterHarness[] members)
    {
        var group = new VrrpSyncGroup(name, [.. members.Select(m => m.Router)], new ListLogger());
        _groups.Add(group);
        return group;
    }

    /// <summary>Both nodes grouped and started together: node 100 holds both VIPs from 3.61 s; the clock is at 10.5 s.</summary>
    private void ElectNode100(bool grouped = true)
    {
        if (grouped)
        {
            Group("g100", Node100);
            Group("g99", Node99);
        }

        foreach (var r in (RouterHarness[])[.. Node100, .. Node99])
        {
            r.Start();
        }

        _network.AdvanceTo(S(10.5));
        Assert.All(Node100, r => Assert.Equal(VrrpState.Master, r.State));
        Assert.All(Node99, r => Assert.Equal(VrrpState.Backup, r.State));
    }

    private static byte[] AdvertFrom(RouterHarness peer, byte priority)
    {
        var message = VrrpAdvertisementWriter.Create(peer.Options with { Priority = priority }, priority);
        var datagram = new byte[Ipv4Header.MinimumLength + message.Length];
        Ipv4Header.Write(datagram, (ushort)datagram.Length, 1, Ipv4Header.VrrpTimeToLive, Ipv4Header.ProtocolVrrp, Ipv4Address.ToUInt32(peer.Address), Ipv4Address.ToUInt32(SeedOptions.Group));
        message.CopyTo(datagram.AsSpan(Ipv4Header.MinimumLength));
        return datagram;
    }
}
