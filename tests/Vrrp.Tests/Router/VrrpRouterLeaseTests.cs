using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>Crash recovery's leased VIPs: renewed with every advert of the master, so they outlive it by one lease only.</summary>
public sealed class VrrpRouterLeaseTests
{
    private readonly InMemoryVrrpNetwork _network = new();

    [Fact]
    public void AMasterWithLeasedVips_RenewsThemWithEveryAdvert()
    {
        var master = _network.AddRouter("10.10.102.10", 100, o => o with { VipLifetime = S(2) });
        master.Start();
        _network.Advance(MasterDown100 + S(0.5));
        Assert.Equal(VrrpState.Master, master.State);
        var renewsBefore = master.Vips.Count("renew");

        _network.Advance(S(5));

        Assert.Equal(renewsBefore + 5, master.Vips.Count("renew"));
        var adverts = master.SentAdverts.Where(a => a.At > MasterDown100 + S(0.5)).Select(a => a.At).ToArray();
        var renews = master.Vips.Operations.Where(o => o.Operation == "renew" && o.At > MasterDown100 + S(0.5)).Select(o => o.At).ToArray();
        Assert.Equal(adverts, renews);
    }

    [Fact]
    public void VipsWithoutALease_AreNeverRenewed()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        master.Start();
        _network.Advance(MasterDown100 + S(5));

        Assert.Equal(VrrpState.Master, master.State);
        Assert.Equal(0, master.Vips.Count("renew"));
    }

    [Fact]
    public void AMasterRecordsWhenItLastAdvertised_AndASuccessorStartsFromThePreviousProcesssLastAdvert()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        Assert.Equal(0, master.Router.LastAdvertTimestamp);
        master.Start();
        _network.Advance(MasterDown100 + S(2.3));
        var last = master.SentAdverts.Last().At;
        Assert.Equal(last, TimeOf(master.Router.LastAdvertTimestamp));

        var point = master.Router.Freeze();
        var successor = _network.Reconfigure(master, o => o);
        successor.Router.Resume(point);

        // Before its own first advert the successor accounts for the previous process's last one.
        Assert.InRange(TimeOf(successor.Router.LastAdvertTimestamp) - last, -TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
    }

    private TimeSpan TimeOf(long timestamp) => _network.Now - _network.Time.GetElapsedTime(timestamp);
}
