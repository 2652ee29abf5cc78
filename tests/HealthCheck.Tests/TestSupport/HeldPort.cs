using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.HealthCheck.Tests.TestSupport;

/// <summary>
/// A loopback TCP port that stays this test's while nothing listens on it. Stopping a plain listener frees its port,
/// and under a parallel test run another test's listener can be given the same port at once, so a probe expecting
/// "nothing listens" sees that listener (it did, once in six runs on a loaded machine). A second socket bound to the
/// port with SO_REUSEPORT, never listening, keeps the kernel from handing the port out, and is invisible in
/// /proc/net/tcp.
/// </summary>
internal sealed class HeldPort : IDisposable
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;
    private readonly Socket _holder;
    private Socket? _listener;

    public HeldPort()
    {
        _listener = Bound(0);
        _listener.Listen();
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _holder = Bound(Port);
    }

    public int Port { get; }

    public bool IsListening => _listener is not null;

    /// <summary>Closes the listening socket; the port stays reserved.</summary>
    public void StopListening()
    {
        _listener?.Dispose();
        _listener = null;
    }

    /// <summary>Listens on the same port again.</summary>
    public void StartListening()
    {
        if (_listener is null)
        {
            _listener = Bound(Port);
            _listener.Listen();
        }
    }

    /// <summary>Accepts one connection (the listener must be listening).</summary>
    public Task<Socket> AcceptAsync() => (_listener ?? throw new InvalidOperationException("not listening")).AcceptAsync();

    public void Dispose()
    {
        StopListening();
        _holder.Dispose();
    }

    private static Socket Bound(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }
}
