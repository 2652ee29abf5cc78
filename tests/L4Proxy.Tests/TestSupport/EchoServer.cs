using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>
/// A loopback backend. Echo mode returns every byte and answers the client's FIN with its own (mirrored half-close);
/// with a <c>greeting</c> it first sends its name, so tests can tell which server a session reached.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string? _greeting;

    public EchoServer(IPAddress? address = null, string? greeting = null, int port = 0)
    {
        _greeting = greeting;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(address ?? IPAddress.Loopback, port));
        _listener.Listen(4096);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Accepted { get; private set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            lock (_lock)
            {
                _accepted.Add(socket);
                Accepted++;
            }

            _ = HandleAsync(socket);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        var buffer = new byte[16384];
        try
        {
            if (_greeting is not null)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(_greeting + "\n"));
            }

            while (true)
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < n)
                {
                    sent += await socket.SendAsync(buffer.AsMemory(sent, n - sent));
                }
            }
        }
        catch (Exception)
        {
            // Killed by the test or reset by the peer.
        }
    }

    /// <summary>Stops accepting (checks fail) but keeps established sessions.</summary>
    public void StopListening()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    /// <summary>Simulates a crash: closes the listener and every session.</summary>
    public void Kill()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_lock)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _loop;
        _stop.Dispose();
    }
}
