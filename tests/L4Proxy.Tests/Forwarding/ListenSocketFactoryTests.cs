using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

public sealed class ListenSocketFactoryTests
{
    [Fact]
    public async Task AcceptedSockets_InheritNoDelay_FromTheListener()
    {
        // The data path no longer sets TCP_NODELAY per session: it relies on the kernel copying it from the listener.
        using var listener = ListenSocketFactory.Create(new IPEndPoint(IPAddress.Loopback, 0), 16);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var accepted = await listener.AcceptAsync();

        Assert.True(listener.NoDelay);
        Assert.True(accepted.NoDelay);
    }
}
