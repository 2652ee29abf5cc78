using System.Net;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy.Tests;

public sealed class ProxyRuntimeDescriptorTests
{
    [Fact]
    public void TheDescriptorsNeeded_AreTwoPerSessionOnePerFlowAndListener_PlusTheReserveAndTheRuntimesOwn()
    {
        var options = new ProxyOptions
        {
            MaxConnections = 10,
            Frontends =
            [
                new FrontendOptions { Name = "hub", Bind = IPEndPoint.Parse("0.0.0.0:10010"), Backend = "be", MaxConnections = 3000 },
                new FrontendOptions { Name = "quic", Protocol = ProxyProtocol.Udp, Bind = IPEndPoint.Parse("127.0.0.1:10011"), Backend = "be", Udp = new UdpFrontendOptions { MaxFlows = 100 } },
            ],
        };

        var sizing = ProxyRuntime.SizeDescriptors(options);

        // The global limit caps the frontends' sum: 10 sessions x 2, 1 listener, 100 flows + their socket, 64 reserve, 256 runtime.
        Assert.Equal(10, sizing.Sessions);
        Assert.Equal((ulong)((10 * 2) + 1 + 101 + 64 + 256), sizing.Needed);
        Assert.True(sizing.Soft >= sizing.Needed, $"{sizing}");
        Assert.Equal(10, sizing.Fits);
    }

    [Fact]
    public void MoreSessionsThanTheLimitHolds_AreCountedOutOfWhatTheLimitLeaves()
    {
        var options = new ProxyOptions
        {
            MaxConnections = 100_000_000,
            Frontends = [new FrontendOptions { Name = "hub", Bind = IPEndPoint.Parse("0.0.0.0:10010"), Backend = "be", MaxConnections = 100_000_000 }],
        };

        var sizing = ProxyRuntime.SizeDescriptors(options);

        Assert.True(sizing.Fits < sizing.Sessions, $"{sizing}");
        Assert.Equal(((long)sizing.Soft - 1 - 64 - 256) / 2, sizing.Fits);
    }
}
