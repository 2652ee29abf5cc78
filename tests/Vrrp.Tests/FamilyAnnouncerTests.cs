using System.Net;

namespace CloudCoreLb.Vrrp.Tests;

public sealed class FamilyAnnouncerTests
{
    [Fact]
    public void AnIPv4Vip_IsAnnouncedWithGratuitousArp_AndAnIPv6VipWithANeighborAdvertisement()
    {
        var recorder = new Recorder();
        var announcer = new FamilyAnnouncer(recorder, recorder);

        announcer.Send(IPAddress.Parse("10.0.0.100"));
        announcer.Send(IPAddress.Parse("fd00::100"));

        Assert.Equal(["garp 10.0.0.100", "na fd00::100"], recorder.Sent);
    }

    private sealed class Recorder : IGarpSender, INeighborAdvertisementSender
    {
        public List<string> Sent { get; } = [];

        public void Send(IPAddress address) => Sent.Add($"garp {address}");

        public void SendNeighborAdvertisement(IPAddress address) => Sent.Add($"na {address}");
    }
}
