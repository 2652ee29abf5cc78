using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Tests.Protocol;
using CloudCoreLb.Vrrp.Tests.TestDoubles;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpRouterConcurrencyTests
{
    [Fact]
    public async Task ConcurrentEntryPoints_AreSerializedAndCountersStayExact()
    {
        var network = new InMemoryVrrpNetwork();
        var router = network.AddRouter("10.10.102.10", 100);
        router.Start();
        var valid = new AdvertDatagramBuilder { Priority = 150 }.Build();
        var bogus = new AdvertDatagramBuilder { CorruptChecksum = true }.Build();
        const int PerThread = 2000;

        // Only the router is exercised from several threads; the fakes behind it are touched under its lock.
        await Task.WhenAll(
            Task.Run(() => { for (var i = 0; i < PerThread; i++) { router.Router.OnDatagram(valid, SeedOptions.Group); } }),
            Task.Run(() => { for (var i = 0; i < PerThread; i++) { router.Router.OnDatagram(bogus, SeedOptions.Group); } }),
            Task.Run(() => { for (var i = 0; i < PerThread; i++) { router.Router.SetTracking(-(i % 3), fault: false); } }));

        Assert.Equal(PerThread, router.Router.Counters.AdvertsReceived);
        Assert.Equal(PerThread, router.Router.Counters.GetDrops(VrrpDropReason.BadChecksum));
        Assert.Equal(VrrpState.Backup, router.State);
    }

    [Fact]
    public void TruncatedDatagram_IsCounted()
    {
        var network = new InMemoryVrrpNetwork();
        var router = network.AddRouter("10.10.102.10", 100);

        router.Router.OnTruncatedDatagram();

        Assert.Equal(1, router.Router.Counters.GetDrops(VrrpDropReason.Truncated));
    }
}
