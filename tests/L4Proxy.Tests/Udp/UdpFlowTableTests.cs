using System.Net;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Udp;
using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.L4Proxy.Tests.Udp;

public sealed class UdpFlowTableTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void AFlowIdleForTheTimeout_Expires_WhileOneTouchedMeanwhile_Stays()
    {
        var table = new UdpFlowTable(maxFlows: 10, maxFlowsPerSource: 10);
        var idle = Ticks(TimeSpan.FromSeconds(30));
        table.TryAdd(Client("192.0.2.1", 1000), _time.GetTimestamp(), out var quiet);
        table.TryAdd(Client("192.0.2.2", 1000), _time.GetTimestamp(), out var busy);

        _time.Advance(TimeSpan.FromSeconds(20));
        table.Touch(busy!, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(10));
        var expired = new List<UdpFlow>();
        Assert.Equal(1, table.Expire(_time.GetTimestamp(), idle, expired.Add));

        Assert.Same(quiet, Assert.Single(expired));
        Assert.False(table.TryGet(Client("192.0.2.1", 1000), out _));
        Assert.True(table.TryGet(Client("192.0.2.2", 1000), out _));

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, table.Expire(_time.GetTimestamp(), idle, expired.Add));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void AFlowJustUnderTheTimeout_IsKept()
    {
        var table = new UdpFlowTable(10, 10);
        table.TryAdd(Client("192.0.2.1", 1000), _time.GetTimestamp(), out _);
        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, table.Expire(_time.GetTimestamp(), Ticks(TimeSpan.FromSeconds(30)), _ => { }));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void AFullTable_RefusesNewFlows_UntilOneExpires()
    {
        var table = new UdpFlowTable(maxFlows: 2, maxFlowsPerSource: 10);
        Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.1", 1), 0, out _));
        Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.2", 1), 0, out var second));
        Assert.Equal(UdpAdmission.TableFull, table.TryAdd(Client("192.0.2.3", 1), 0, out var refused));
        Assert.Null(refused);

        table.Remove(second!);
        Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.3", 1), 0, out _));
    }

    [Fact]
    public void OneAddressWithManyPorts_IsHeldToItsLimit_OtherAddressesAreNot()
    {
        var table = new UdpFlowTable(maxFlows: 100, maxFlowsPerSource: 3);
        for (ushort port = 1; port <= 3; port++)
        {
            Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.1", port), 0, out _));
        }

        Assert.Equal(UdpAdmission.SourceLimit, table.TryAdd(Client("192.0.2.1", 4), 0, out _));
        Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.2", 4), 0, out _));
        Assert.Equal(3, table.FlowsFrom(Client("192.0.2.1", 0)));

        table.Expire(1, 1, _ => { });
        Assert.Equal(0, table.FlowsFrom(Client("192.0.2.1", 0)));
        Assert.Equal(UdpAdmission.Added, table.TryAdd(Client("192.0.2.1", 4), 1, out _));
    }

    [Fact]
    public void ExpiryVisitsFlowsOldestFirst_AndStopsAtTheFirstLiveOne()
    {
        var table = new UdpFlowTable(100, 100);
        for (var i = 0; i < 50; i++)
        {
            table.TryAdd(Client("192.0.2.1", (ushort)(i + 1)), i, out _);
        }

        var expired = new List<ushort>();
        table.Expire(now: 100, idleTicks: 75, flow => expired.Add(flow.Client.Port));
        Assert.Equal(Enumerable.Range(1, 26).Select(i => (ushort)i), expired);
        Assert.Equal(24, table.Count);
    }

    private static unsafe PeerAddress Client(string address, ushort port)
    {
        var sockaddr = stackalloc byte[PeerAddress.MaxLength];
        var length = PeerAddress.Write(new IPEndPoint(IPAddress.Parse(address), port), sockaddr);
        return PeerAddress.Parse(sockaddr, length);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
