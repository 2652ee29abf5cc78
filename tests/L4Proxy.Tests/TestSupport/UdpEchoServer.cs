using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>A UDP server that answers every datagram with "its own address|the datagram", so a client sees who served it.</summary>
internal sealed class UdpEchoServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _received;

    public UdpEchoServer(IPEndPoint bind)
    {
        _socket.Bind(bind);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = RunAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Received => Volatile.Read(ref _received);

    /// <summary>Client addresses (as the proxy's flow sockets appear) seen so far.</summary>
    public HashSet<IPEndPoint> Peers { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var buffer = new byte[65536];
        var prefix = Encoding.ASCII.GetBytes(EndPoint + "|");
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Interlocked.Increment(ref _received);
            lock (Peers)
            {
                Peers.Add((IPEndPoint)result.RemoteEndPoint);
            }

            var reply = new byte[prefix.Length + result.ReceivedBytes];
            prefix.CopyTo(reply, 0);
            buffer.AsSpan(0, result.ReceivedBytes).CopyTo(reply.AsSpan(prefix.Length));
            await _socket.SendToAsync(reply, SocketFlags.None, result.RemoteEndPoint);
        }
    }
}
