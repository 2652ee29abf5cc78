using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>
/// A backend that never closes on its own: it optionally sends a greeting and a FIN, then counts what it receives
/// until the proxy closes. Used for half-close and fin-timeout tests.
/// </summary>
internal sealed class SinkServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;
    private readonly byte[]? _replyThenFin;
    private long _received;

    public SinkServer(string? greetingThenFin = null)
        : this(greetingThenFin is null ? null : Encoding.ASCII.GetBytes(greetingThenFin + "\n"))
    {
    }

    private SinkServer(byte[]? replyThenFin)
    {
        _replyThenFin = replyThenFin;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>A server that writes <paramref name="reply"/> and its FIN back to back as soon as it accepts.</summary>
    public static SinkServer ReplyingThenClosing(byte[] reply) => new(reply);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Completes when a session's proxy side sent FIN or reset.</summary>
    public TaskCompletionSource PeerClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception)
            {
                return;
            }

            lock (_accepted)
            {
                _accepted.Add(socket);
            }

            _ = HandleAsync(socket);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        try
        {
            if (_replyThenFin is not null)
            {
                await socket.SendAsync(_replyThenFin);
                socket.Shutdown(SocketShutdown.Send);
            }

            var buffer = new byte[8192];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                Interlocked.Add(ref _received, n);
            }
        }
        catch (Exception)
        {
        }

        PeerClosed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (var s in _accepted)
            {
                s.Dispose();
            }
        }

        await _loop;
    }
}
