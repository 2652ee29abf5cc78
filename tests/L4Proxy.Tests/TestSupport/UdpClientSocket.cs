using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>A client flow: one UDP socket from a chosen source address, talking to the proxy.</summary>
internal sealed class UdpClientSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpClientSocket(IPEndPoint proxy, IPAddress? source = null)
    {
        _socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
        _socket.Connect(proxy);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Send(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    public void Send(string text) => Send(Encoding.ASCII.GetBytes(text));

    /// <summary>The next reply, or null when none comes within <paramref name="timeoutMs"/>.</summary>
    public async Task<string?> ReceiveAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[65536];
        try
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Sends until a reply comes (UDP may lose the first datagram while a flow is set up); returns the server's address.</summary>
    public async Task<string> ServedByAsync(string payload = "ping", int attempts = 20)
    {
        for (var i = 0; i < attempts; i++)
        {
            Send(payload);
            if (await ReceiveAsync(500) is { } reply)
            {
                return reply[..reply.IndexOf('|')];
            }
        }

        throw new TimeoutException($"no reply for {LocalEndPoint}");
    }

    /// <summary>Discards replies still on their way (to earlier tries of <see cref="ServedByAsync"/>).</summary>
    public async Task DrainAsync()
    {
        while (await ReceiveAsync(200) is not null)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
