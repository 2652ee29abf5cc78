using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
/// Datagrams move in batches (benchmarks/README.md "UDP"): one <c>recvmmsg</c> drains up to a batch from the
/// frontend socket, a run of consecutive datagrams of one flow goes to its server in one <c>sendmmsg</c>, and replies
/// read from any flow's socket during one loop wake-up leave together in one <c>sendmmsg</c> on the frontend socket
/// once the wake-up's events are handled (or when the batch fills). Order within a flow is kept both ways.
/// </summary>
internal sealed unsafe class UdpFrontend : IEpollHandler
{
    private const int MaxDatagramsPerWakeup = 64;

    /// <summary>Datagrams per batch; fewer when they are large, so a batch stays within <see cref="BatchBytes"/>.</summary>
    private const int MaxBatch = 32;

    private const int BatchBytes = 512 * 1024;

    private readonly ProxyContext _context;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly UdpFlowTable _table;
    private volatile FrontendModel _model;
    private readonly FlushReplies _flush;
    private UdpBatch _received;
    private UdpBatch _replies;

    /// <summary>The server of each queued reply (its counters), or null: the slot's datagram is not sent.</summary>
    private ProxyServer?[] _replyServers;
    private int _replyCount;
    private bool _flushScheduled;
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
        _flush = new FlushReplies(this);
        (_received, _replies, _replyServers) = Batches(options.Udp.MaxDatagramSize);
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

    /// <summary>
    /// Up to <paramref name="max"/> flows, most recently active first, read on the loop's thread (the table has no
    /// lock); an empty list once stopped.
    /// </summary>
    public Task<IReadOnlyList<UdpFlowStatus>> ListFlowsAsync(int max)
    {
        var done = new TaskCompletionSource<IReadOnlyList<UdpFlowStatus>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(new Work(() =>
        {
            var now = _context.Time.GetTimestamp();
            var flows = new List<UdpFlowStatus>(Math.Min(max, _table.Count));
            foreach (var flow in _table.NewestFirst())
            {
                if (flows.Count == max || _stopped)
                {
                    break;
                }

                flows.Add(new UdpFlowStatus(Name, flow.Client.ToEndPoint(), flow.Server?.Backend.Name, flow.Server?.Name, _context.Time.GetElapsedTime(flow.LastActive, now)));
            }

            done.TrySetResult(flows);
        }));
        return done.Task;
    }

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
        var batch = _received;
        for (var budget = MaxDatagramsPerWakeup; budget > 0 && !_stopped;)
        {
            var want = Math.Min(batch.Capacity, budget);
            batch.PrepareReceive(0, want);
            var n = UdpNative.RecvMMsg(_fd, batch.WithAddress, (uint)want, UdpNative.MsgDontWait, null);
            if (n < 0)
            {
                var error = Marshal.GetLastPInvokeError();
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

            ForwardBatch(batch, n, now);
            budget -= n;
            if (n < want)
            {
                // The queue is drained: no call is spent to hear EAGAIN.
                return;
            }
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

    /// <summary>
    /// A flow's server socket is readable or has an error (ICMP port unreachable): its datagrams join the reply
    /// batch, sent after this wake-up's events (<see cref="FlushReplies"/>) or as soon as the batch is full.
    /// </summary>
    public void OnFlowReadable(UdpFlow flow)
    {
        var now = _context.Time.GetTimestamp();
        var batch = _replies;
        for (var budget = MaxDatagramsPerWakeup; budget > 0 && flow.Fd >= 0 && !_stopped;)
        {
            if (_replyCount == batch.Capacity)
            {
                SendReplies();
            }

            var first = _replyCount;
            var want = Math.Min(batch.Capacity - first, budget);
            batch.PrepareReceive(first, want);
            var n = UdpNative.RecvMMsg(flow.Fd, batch.Connected + first, (uint)want, UdpNative.MsgDontWait, null);
            if (n < 0)
            {
                var error = Marshal.GetLastPInvokeError();
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

                break;
            }

            QueueReplies(flow, first, n, now);
            budget -= n;
            if (n < want)
            {
                break;
            }
        }

        if (_replyCount > 0 && !_flushScheduled)
        {
            _flushScheduled = true;
            _loop.Defer(_flush);
        }
    }

    public void OnFlowFault(UdpFlow flow, Exception exception)
    {
        UdpLog.FlowFailed(_context.Logger, Name, flow.Client.ToEndPoint(), exception);
        _table.Remove(flow);
        EndFlow(flow, CloseReason.InternalError);
        Volatile.Write(ref _flowCount, _table.Count);
    }

    /// <summary>
    /// The <paramref name="count"/> datagrams just received in <paramref name="batch"/>, in order. Consecutive
    /// datagrams of one client form a run that goes to its server in one <c>sendmmsg</c>; a datagram the batched send
    /// cannot take (a refusal, a new server to pick) goes through <see cref="FromClient"/> on its own.
    /// </summary>
    private void ForwardBatch(UdpBatch batch, int count, long now)
    {
        var runStart = 0;
        var runLength = 0;
        var runClient = default(PeerAddress);
        for (var i = 0; i < count; i++)
        {
            var length = batch.Received(i, batch.WithAddress);
            if (length < 0)
            {
                Udp.Drop(UdpDrop.Oversize);
                ForwardRun(batch, runClient, runStart, runLength, now);
                runLength = 0;
                continue;
            }

            batch.SetLength(i, length);
            var client = PeerAddress.Parse(batch.Address(i), (int)batch.WithAddress[i].Header.NameLen);
            if (runLength > 0 && client.Equals(runClient))
            {
                runLength++;
                continue;
            }

            ForwardRun(batch, runClient, runStart, runLength, now);
            runClient = client;
            runStart = i;
            runLength = 1;
        }

        ForwardRun(batch, runClient, runStart, runLength, now);
    }

    private void ForwardRun(UdpBatch batch, PeerAddress client, int start, int length, long now)
    {
        var sent = 0;
        if (length > 1 && !_stopped && Admit(client, batch.Address(start), (int)batch.WithAddress[start].Header.NameLen, now) is { } flow && Ready(flow))
        {
            sent = Math.Max(0, UdpNative.SendMMsg(flow.Fd, batch.Connected + start, (uint)length, UdpNative.MsgDontWait));
            for (var i = start; i < start + sent; i++)
            {
                Forwarded(flow, batch.Length(i), now);
            }
        }

        // What the batched send did not take (an error ends it; the single send sees the errno and acts on it).
        for (var i = start + sent; i < start + length && !_stopped; i++)
        {
            FromClient(client, batch.Address(i), (int)batch.WithAddress[i].Header.NameLen, new ReadOnlySpan<byte>(batch.Buffer(i), batch.Length(i)), now);
        }
    }

    private void FromClient(PeerAddress client, byte* address, int addressLength, ReadOnlySpan<byte> datagram, long now)
    {
        if (Admit(client, address, addressLength, now) is not { } flow)
        {
            return;
        }

        // Two tries: a send refused because the server's port closed (an ICMP error that arrived since the last
        // datagram) redispatches this very datagram.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!Ready(flow))
            {
                return;
            }

            var error = UdpSocket.Send(flow.Fd, datagram);
            if (error == 0)
            {
                Forwarded(flow, datagram.Length, now);
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

    /// <summary>The flow of <paramref name="client"/>, new if it had none; null (counted) when the limits refuse one.</summary>
    private UdpFlow? Admit(PeerAddress client, byte* address, int addressLength, long now)
    {
        if (_table.TryGet(client, out var flow))
        {
            return flow;
        }

        var admission = _table.TryAdd(client, now, out var added);
        if (admission != UdpAdmission.Added)
        {
            Udp.Drop(admission == UdpAdmission.TableFull ? UdpDrop.TableFull : UdpDrop.SourceLimit);
            if (!_limitLogged)
            {
                _limitLogged = true;
                UdpLog.LimitReached(_context.Logger, Name, admission == UdpAdmission.TableFull ? "max_flows" : "max_flows_per_source", _table.Count);
            }

            return null;
        }

        flow = added!;
        flow.Frontend = this;
        new ReadOnlySpan<byte>(address, addressLength).CopyTo(flow.ClientSockaddr);
        flow.ClientSockaddrLength = addressLength;
        Counters.Opened();
        Volatile.Write(ref _flowCount, _table.Count);
        return flow;
    }

    /// <summary>
    /// Whether <paramref name="flow"/> has a usable server socket, leaving a server that went down and dispatching
    /// when it has none; a flow left without any server is removed (it must not hold a slot of the table).
    /// </summary>
    private bool Ready(UdpFlow flow)
    {
        if (flow.Server is { } current && !current.IsUsable)
        {
            LeaveServer(flow, "server is down", exclude: false);
        }

        if (flow.Fd >= 0 || Dispatch(flow))
        {
            return true;
        }

        if (flow.Server is null)
        {
            _table.Remove(flow);
            EndFlow(flow, CloseReason.NoServer);
            Volatile.Write(ref _flowCount, _table.Count);
        }

        return false;
    }

    private void Forwarded(UdpFlow flow, int length, long now)
    {
        _table.Touch(flow, now);
        Udp.In();
        Counters.AddIn(length);
        flow.Server!.Counters.AddIn(length);
    }

    /// <summary>Addresses the <paramref name="count"/> replies just read into slots from <paramref name="first"/> to the flow's client.</summary>
    private void QueueReplies(UdpFlow flow, int first, int count, long now)
    {
        var batch = _replies;
        var to = first;
        for (var slot = first; slot < first + count; slot++)
        {
            var length = batch.Received(slot, batch.Connected);
            if (length < 0)
            {
                Udp.Drop(UdpDrop.Oversize);
                continue;
            }

            batch.SetLength(slot, length);
            if (to != slot)
            {
                // Close the gap an oversize datagram left, so the batch stays contiguous for sendmmsg.
                batch.Move(slot, to);
            }

            fixed (byte* address = flow.ClientSockaddr)
            {
                System.Buffer.MemoryCopy(address, batch.Address(to), PeerAddress.MaxLength, flow.ClientSockaddrLength);
            }

            batch.WithAddress[to].Header.NameLen = (uint)flow.ClientSockaddrLength;
            _replyServers[to] = flow.Server;
            to++;
        }

        if (to > first)
        {
            _table.Touch(flow, now);
        }

        _replyCount = to;
    }

    /// <summary>Sends the queued replies from the frontend socket; one that fails is dropped (counted), the rest go on.</summary>
    private void SendReplies()
    {
        var batch = _replies;
        var sent = 0;
        while (sent < _replyCount)
        {
            var n = UdpNative.SendMMsg(_fd, batch.WithAddress + sent, (uint)(_replyCount - sent), UdpNative.MsgDontWait);
            if (n < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == EINTR)
                {
                    continue;
                }

                // A full send buffer (EAGAIN, ENOBUFS) drops the rest, as the wire would; other errors (EPERM from a
                // firewall, an address family mismatch) concern that one datagram.
                var dropped = error == EAGAIN || error == ENOBUFS ? _replyCount - sent : 1;
                for (var i = 0; i < dropped; i++)
                {
                    Udp.Drop(UdpDrop.SendError);
                }

                sent += dropped;
                continue;
            }

            for (var i = sent; i < sent + n; i++)
            {
                var length = batch.Length(i);
                Udp.Out();
                Counters.AddOut(length);
                _replyServers[i]?.Counters.AddOut(length);
            }

            sent += n;
        }

        Array.Clear(_replyServers, 0, _replyCount);
        _replyCount = 0;
    }

    private static (UdpBatch Received, UdpBatch Replies, ProxyServer?[] Servers) Batches(int datagramSize)
    {
        var capacity = Math.Clamp(BatchBytes / datagramSize, 1, MaxBatch);
        return (new UdpBatch(capacity, datagramSize), new UdpBatch(capacity, datagramSize), new ProxyServer?[capacity]);
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
        if (_received.DatagramSize != options.Udp.MaxDatagramSize)
        {
            SendReplies();
            _received.Dispose();
            _replies.Dispose();
            (_received, _replies, _replyServers) = Batches(options.Udp.MaxDatagramSize);
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
        _received.Dispose();
        _replies.Dispose();
        _replyCount = 0;
        UdpLog.Closed(_context.Logger, Name, flows);
    }

    /// <summary>The reply batch's send once per loop wake-up, allocated once per frontend.</summary>
    private sealed class FlushReplies(UdpFrontend frontend) : IEpollWork
    {
        public void Execute()
        {
            frontend._flushScheduled = false;
            if (!frontend._stopped)
            {
                frontend.SendReplies();
            }
        }
    }

    private sealed class Work(Action action) : IEpollWork
    {
        public void Execute() => action();
    }
}
