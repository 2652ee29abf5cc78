using System.Net;
using CloudCoreLb.L4Proxy.Balancing;
using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding.Native;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("10.10.102.11", 40000)]
    [InlineData("127.0.0.1", 1)]
    [InlineData("2001:db8::7", 65535)]
    [InlineData("::ffff:10.0.0.1", 10000)]
    public unsafe void AnAddressWrittenAsSockaddr_ParsesBackToTheSameEndPoint(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var buffer = stackalloc byte[PeerAddress.MaxLength];

        var length = PeerAddress.Write(endPoint, buffer);
        var parsed = PeerAddress.Parse(buffer, length);

        Assert.Equal(endPoint, parsed.ToEndPoint());
        Assert.Equal(endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, parsed.IsV6);
    }

    [Theory]
    [InlineData("10.10.102.11")]
    [InlineData("2001:db8::7")]
    [InlineData("::ffff:10.0.0.1")]
    public unsafe void TheBalancingKey_IsTheSameAsFromTheIPAddress_WhateverThePort(string address)
    {
        var buffer = stackalloc byte[PeerAddress.MaxLength];
        var one = PeerAddress.Parse(buffer, PeerAddress.Write(new IPEndPoint(IPAddress.Parse(address), 1000), buffer)).ToClientKey();
        var other = PeerAddress.Parse(buffer, PeerAddress.Write(new IPEndPoint(IPAddress.Parse(address), 2000), buffer)).ToClientKey();
        var expected = ClientKey.From(IPAddress.Parse(address));

        Assert.Equal(expected.Hash64, one.Hash64);
        Assert.Equal(expected.SourceHash, one.SourceHash);
        Assert.Equal(one.Hash64, other.Hash64);
    }

    [Fact]
    public unsafe void AnUnknownFamily_ParsesAsTheDefaultAddress()
    {
        var buffer = stackalloc byte[PeerAddress.MaxLength];
        *(ushort*)buffer = 1; // AF_UNIX

        var parsed = PeerAddress.Parse(buffer, PeerAddress.MaxLength);

        Assert.Equal(new IPEndPoint(IPAddress.Any, 0), parsed.ToEndPoint());
    }
}
