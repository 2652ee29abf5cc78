using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>
/// A loopback backend that misbehaves on purpose: it resets every connection as soon as it has accepted it, or it
/// accepts and never reads (its receive buffer fixed small, so the bytes it can swallow are known).
/// </summary>
internal sealed class FaultyServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;
    private readonly bool _reset;

    private FaultyServer(bool reset, int receiveBuffer)
    {
        _reset = reset;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0)
        {
            // Set on the listener so accepted sockets inherit it from the SYN on: a fixed buffer is not auto-tuned.
            _listener.ReceiveBufferSize = receiveBuffer;
        }

        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>A server that answers each handshake and then resets the connection (SO_LINGER 0 close).</summary>
    public static FaultyServer ResettingAfterHandshake() => new(reset: true, receiveBuffer: 0);

    /// <summary>A server that keeps each connection open and never reads from it.</summary>
    public static FaultyServer NeverReading(int receiveBuffer) => new(reset: false, receiveBuffer);

    public int Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Count;
            }
        }
    }

    /// <summary>Bytes waiting unread in every connection's receive queue (FIONREAD).</summary>
    public long Unread
    {
        get
        {
            lock (_accepted)
            {
                return _reset ? 0 : _accepted.Sum(s => (long)s.Available);
            }
        }
    }

    /// <summary>The kernel's size of one accepted socket's receive buffer (doubled from what was set).</summary>
    public int AcceptedReceiveBufferSize
    {
        get
        {
            lock (_accepted)
            {
                return _accepted[0].ReceiveBufferSize;
            }
        }
    }

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

            if (_reset)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }

            lock (_accepted)
            {
                _accepted.Add(socket);
            }
        }
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
