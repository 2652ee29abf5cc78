using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Options;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>
/// One UDP frontend: its bound socket, its flow table and every flow's connected socket, all on one event loop, so
/// the table needs no lock and a reply is one recv and one sendto. A new client address and port is balanced with
/// the backend's balancer exactly as a TCP connection from that address would be (the hash sees the address, never
/// the port), so with servers grouped by host an edge's QUIC flow reaches the CloudCore its TCP sessions reach. A
/// flow keeps its server while that server is usable; it moves only when the server goes down or answers with
/// ICMP port unreachable (its next datagram is redispatched, that server excluded).
/// </summary>
internal sealed unsafe class UdpFrontend : IEpollHandler
{
    private const int MaxDatagramsPerWakeup = 64;

    private readonly ProxyContext _context;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly UdpFlowTable _table;
    private volatile FrontendModel _model;
    private byte[] _buffer;
    private int _slot = -1;
    private int _flowCount;
    private bool _limitLogged;
    private bool _stopped;

    public UdpFrontend(FrontendOptions options, ProxyBackend backend, ProxyContext context, EpollLoop loop)
    {
        _context = context;
        _loop = loop;
        _model = new FrontendModel(options, backend);
        Name = options.Name;
        _socket = UdpSocket.Bind(options.Bind!);
        _fd = (int)_socket.Handle;
        BoundEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _table = new UdpFlowTable(options.Udp.MaxFlows, options.Udp.MaxFlowsPerSource);
        _buffer = new byte[options.Udp.MaxDatagramSize];
    }

    public string Name { get; }

    public FrontendOptions Options => _model.Options;

    public ProxyBackend Backend => _model.Backend;

    public IPEndPoint BoundEndPoint { get; }

    /// <summary>Flows as sessions: active/total, bytes in/out.</summary>
    public FrontendCounters Counters { get; } = new();

    /// <summary>Datagrams, redispatches and drops by reason.</summary>
    public UdpCounters Udp { get; } = new();

    /// <summary>Flows in the table now (any thread).</summary>
    public int FlowCount => Volatile.Read(ref _flowCount);

    public void Start()
    {
        _slot = _loop.Register(this);
        var error = _loop.Add(_fd, new EpollToken(_slot, 0, 0), EpollEvents.In);
        if (error != 0)
        {
            _loop.Unregister(_slot);
            _socket.Dispose();
            throw new SocketException(error);
        }

        UdpLog.Listening(_context.Logger, Name, BoundEndPoint, Backend.Name);
    }

    /// <summary>Whether a reloaded frontend keeps this one's socket and flows: same name and address.</summary>
    public bool CanKeepSocketFor(FrontendOptions options) =>
        options.Name == Name && options.Protocol == ProxyProtocol.Udp
        && ((Options.Bind!.Equals(options.Bind) && options.Bind!.Port != 0) || options.Bind!.Equals(BoundEndPoint));

    /// <summary>
    /// A reload: new flows use <paramref name="backend"/>; existing flows keep their server (the new configuration's
    /// server of the same name and address) and their socket; a flow whose server is gone is redispatched on its
    /// next datagram.
    /// </summary>
    public void Update(FrontendOptions options, ProxyBackend backend) => _loop.Post(new Work(() => Apply(options, backend)));

    /// <summary>Closes the socket and every flow, on the loop's thread.</summary>
    public Task StopAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(new Work(() =>
        {
            Close();
            done.TrySetResult();
        }));
        return done.Task;
    }

    public void OnEvents(EpollToken token, uint events)
    {
        var now = _context.Time.GetTimestamp();
        var address = stackalloc byte[PeerAddress.MaxLength];
        for (var i = 0; i < MaxDatagramsPerWakeup && !_stopped; i++)
        {
            var n = UdpSocket.ReceiveFrom(_fd, _buffer, address, out var addressLength, out var error);
            if (n < 0)
            {
                if (error == EINTR)
                {
                    continue;
                }

                if (error != EAGAIN)
                {
                    // An unconnected socket reports no ICMP errors; ENOMEM and the like are transient: the next
                    // wake-up tries again, the loop does not spin on it within this one.
                    UdpLog.ReceiveFailed(_context.Logger, Name, (SocketError)error);
                }

                return;
            }

            if (n > _buffer.Length)
            {
                Udp.Drop(UdpDrop.Oversize);
                continue;
            }

            var client = PeerAddress.Parse(address, addressLength);
            FromClient(client, address, addressLength, _buffer.AsSpan(0, n), now);
        }
    }

    public void OnTick(long now)
    {
        var expired = _table.Expire(now, _context.Ticks(Options.Udp.IdleTimeout), flow => EndFlow(flow, CloseReason.ClientTimeout));
        if (expired > 0)
        {
            _limitLogged = false;
            Volatile.Write(ref _flowCount, _table.Count);
        }
    }

    public void OnFault(Exception exception) => L4ProxyLog.SessionFailed(_context.Logger, Name, null, exception);

    /// <summary>A flow's server socket is readable or has an error (ICMP port unreachable).</summary>
    public void OnFlowReadable(UdpFlow flow)
    {
        var now = _context.Time.GetTimestamp();
        for (var i = 0; i < MaxDatagramsPerWakeup && flow.Fd >= 0; i++)
        {
            var n = UdpSocket.Receive(flow.Fd, _buffer, out var error);
            if (n < 0)
            {
                if (error == EINTR)
                {
                    continue;
                }

                if (error != EAGAIN)
                {
                    // ECONNREFUSED: the server's port is closed (ICMP port unreachable). Anything else on a connected
                    // UDP socket (EHOSTUNREACH, ENETUNREACH) means the same for this flow: it needs another server.
                    LeaveServer(flow, error == ECONNREFUSED ? "port unreachable" : ((SocketError)error).ToString(), exclude: true);
                }

                return;
            }

            if (n > _buffer.Length)
            {
                Udp.Drop(UdpDrop.Oversize);
                continue;
            }

            if (UdpSocket.SendTo(_fd, _buffer.AsSpan(0, n), flow.ClientSockaddr, flow.ClientSockaddrLength) != 0)
            {
                Udp.Drop(UdpDrop.SendError);
                continue;
            }

            _table.Touch(flow, now);
            Udp.Out();
            Counters.AddOut(n);
            flow.Server?.Counters.AddOut(n);
        }
    }

    public void OnFlowFault(UdpFlow flow, Exception exception)
    {
        UdpLog.FlowFailed(_context.Logger, Name, flow.Client.ToEndPoint(), exception);
        _table.Remove(flow);
        EndFlow(flow, CloseReason.InternalError);
        Volatile.Write(ref _flowCount, _table.Count);
    }

    private void FromClient(PeerAddress client, byte* address, int addressLength, ReadOnlySpan<byte> datagram, long now)
    {
        if (!_table.TryGet(client, out var flow))
        {
            var admission = _table.TryAdd(client, now, out var added);
            if (admission != UdpAdmission.Added)
            {
                Udp.Drop(admission == UdpAdmission.TableFull ? UdpDrop.TableFull : UdpDrop.SourceLimit);
                if (!_limitLogged)
                {
                    _limitLogged = true;
                    UdpLog.LimitReached(_context.Logger, Name, admission == UdpAdmission.TableFull ? "max_flows" : "max_flows_per_source", _table.Count);
                }

                return;
            }

            flow = added!;
            flow.Frontend = this;
            new ReadOnlySpan<byte>(address, addressLength).CopyTo(flow.ClientSockaddr);
            flow.ClientSockaddrLength = addressLength;
            Counters.Opened();
            Volatile.Write(ref _flowCount, _table.Count);
        }

        // Two tries: a send refused because the server's port closed (an ICMP error that arrived since the last
        // datagram) redispatches this very datagram.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (flow.Server is { } current && !current.IsUsable)
            {
                LeaveServer(flow, "server is down", exclude: false);
            }

            if (flow.Fd < 0 && !Dispatch(flow))
            {
                if (flow.Server is null)
                {
                    // Never let a flow without a server hold a slot of the table.
                    _table.Remove(flow);
                    EndFlow(flow, CloseReason.NoServer);
                    Volatile.Write(ref _flowCount, _table.Count);
                }

                return;
            }

            var error = UdpSocket.Send(flow.Fd, datagram);
            if (error == 0)
            {
                _table.Touch(flow, now);
                Udp.In();
                Counters.AddIn(datagram.Length);
                flow.Server!.Counters.AddIn(datagram.Length);
                return;
            }

            if (error != ECONNREFUSED)
            {
                Udp.Drop(UdpDrop.SendError);
                return;
            }

            LeaveServer(flow, "port unreachable", exclude: true);
        }

        Udp.Drop(UdpDrop.SendError);
    }

    /// <summary>Picks a server for <paramref name="flow"/> and opens its socket; false (counted) when it cannot.</summary>
    private bool Dispatch(UdpFlow flow)
    {
        var backend = Backend;
        var key = flow.Client.ToClientKey();
        var server = backend.Balancer.Pick(key, flow.Excluded);
        if (server is null && flow.Excluded != 0)
        {
            // Every usable server refused this flow once: try them again rather than drop it for good (a CloudCore
            // restarting closes its port for a moment).
            flow.Excluded = 0;
            server = backend.Balancer.Pick(key, 0);
        }

        if (server is null)
        {
            Udp.Drop(UdpDrop.NoServer);
            backend.Counters.NoServerAvailable();
            return false;
        }

        var fd = UdpSocket.OpenConnected(server.EndPoint, out _);
        if (fd < 0)
        {
            Udp.Drop(UdpDrop.SendError);
            server.Counters.ConnectFailed(ConnectFailure.Other);
            return false;
        }

        var slot = _loop.Register(flow);
        var error = _loop.Add(fd, new EpollToken(slot, 1, 0), EpollEvents.In);
        if (error != 0)
        {
            _loop.Unregister(slot);
            NativeSocket.Close(fd);
            Udp.Drop(UdpDrop.SendError);
            return false;
        }

        flow.Fd = fd;
        flow.Slot = slot;
        flow.Server = server;
        server.Counters.Assigned();
        server.Counters.Established();
        backend.Counters.Established();
        return true;
    }

    /// <summary>Closes the flow's server socket; its next datagram is dispatched again.</summary>
    private void LeaveServer(UdpFlow flow, string reason, bool exclude)
    {
        if (flow.Server is { } server)
        {
            UdpLog.FlowLeft(_context.Logger, Name, flow.Client.ToEndPoint(), server.ToString(), reason);
            if (exclude)
            {
                flow.Excluded |= server.Bit;
                server.Counters.ConnectFailed(ConnectFailure.Refused);
            }

            Udp.Redispatched();
        }

        CloseSocket(flow);
    }

    private void CloseSocket(UdpFlow flow)
    {
        if (flow.Fd >= 0)
        {
            _loop.Remove(flow.Fd);
            NativeSocket.Close(flow.Fd);
            flow.Fd = -1;
        }

        if (flow.Slot >= 0)
        {
            _loop.Unregister(flow.Slot);
            flow.Slot = -1;
        }

        flow.Server?.Counters.Unassigned();
        flow.Server = null;
    }

    private void EndFlow(UdpFlow flow, CloseReason reason)
    {
        CloseSocket(flow);
        Counters.Ended(reason);
    }

    private void Apply(FrontendOptions options, ProxyBackend backend)
    {
        _model = new FrontendModel(options, backend);
        _table.MaxFlows = options.Udp.MaxFlows;
        _table.MaxFlowsPerSource = options.Udp.MaxFlowsPerSource;
        if (_buffer.Length != options.Udp.MaxDatagramSize)
        {
            _buffer = new byte[options.Udp.MaxDatagramSize];
        }

        foreach (var flow in _table.Flows)
        {
            if (flow.Server is not { } old)
            {
                continue;
            }

            // Same backend, name and address: the new configuration's server object, whose health the new checks
            // keep; the socket and the flow's place stay.
            var now = backend.Name == old.Backend.Name
                ? Array.Find(backend.Servers, s => s.Name == old.Name && s.EndPoint.Equals(old.EndPoint))
                : null;
            if (now is null)
            {
                LeaveServer(flow, "server removed by a reload", exclude: false);
                continue;
            }

            old.Counters.Unassigned();
            now.Counters.Assigned();
            flow.Server = now;
        }
    }

    private void Close()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        var flows = _table.Count;
        foreach (var flow in _table.Flows.ToArray())
        {
            _table.Remove(flow);
            EndFlow(flow, CloseReason.ProxyStopping);
        }

        Volatile.Write(ref _flowCount, 0);
        if (_slot >= 0)
        {
            _loop.Remove(_fd);
            _loop.Unregister(_slot);
            _slot = -1;
        }

        _socket.Dispose();
        UdpLog.Closed(_context.Logger, Name, flows);
    }

    private sealed class Work(Action action) : IEpollWork
    {
        public void Execute() => action();
    }
}
