using System.Buffers;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Handover;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Handing the session to the process that replaces this one (docs/design/upgrade.md). Freezing takes both
/// descriptors out of the loop's epoll set, so from then on bytes wait in the kernel (socket buffers and the splice
/// pipe) and the session's state is stable; thawing puts them back, and because the registration is edge-triggered
/// the kernel reports at once whatever arrived meanwhile. The adopting process builds the session from the record
/// with the same descriptors, so the peers never notice.
/// </summary>
internal sealed partial class ProxyConnection
{
    private bool _frozen;

    /// <summary>The frontend that accepted the client.</summary>
    public ProxyFrontend Frontend => _frontend;

    /// <summary>The loop that owns the session.</summary>
    public EpollLoop Loop => _loop;

    /// <summary>Rebuilds a frozen session in the adopting process; <see cref="StartAdopted"/> resumes it.</summary>
    public ProxyConnection(ProxyContext context, ProxyFrontend frontend, ProxyBackend backend, EpollLoop loop, SessionHandover record, ProxyServer? server, IReadOnlyList<int> fds)
        : this(context, frontend, backend, loop, fds[record.ClientFd], NativeSocket.PeerOf(fds[record.ClientFd]))
    {
        _started = record.Started;
        if (!record.Established)
        {
            return;
        }

        Server = server;
        _upstreamFd = fds[record.ServerFd];
        _established = true;
        _clientActivity = record.ClientActivity;
        _serverActivity = record.ServerActivity;
        _halfClosed = record.HalfClosed;
        _firstFinFrom = (SessionSide)record.FirstFinFrom;
        _preservedSlot = record.PreservedSlot;
        Import(ref _toServer, record.ToServer, fds);
        Import(ref _toClient, record.ToClient, fds);
    }

    /// <summary>
    /// Freezes the session and describes it, adding its descriptors to <paramref name="fds"/>; null when it already
    /// ended. Loop thread only.
    /// </summary>
    public SessionHandover? Freeze(DescriptorTable fds)
    {
        if (_closed || _frozen)
        {
            return null;
        }

        // A FIN queued for the end of the batch goes out now: the record has no place for half-done work.
        ((IEpollWork)this).Execute();
        if (_closed)
        {
            return null;
        }

        _frozen = true;
        _ = _loop.Remove(_clientFd);
        if (_upstreamFd >= 0)
        {
            _ = _loop.Remove(_upstreamFd);
        }

        var client = fds.Add(_clientFd);
        if (!_established)
        {
            // Connecting or waiting to retry: the new process starts the connect over; the client's first bytes are
            // still unread in the kernel.
            return new SessionHandover(_frontend.Name, _backend.Name, null, client, -1, false, _started, 0, 0, 0, 0, Idle, Idle);
        }

        return new SessionHandover(
            _frontend.Name, _backend.Name, Server!.Name, client, fds.Add(_upstreamFd), true, _started, _clientActivity, _serverActivity,
            _halfClosed, (int)_firstFinFrom, Export(_toServer, fds), Export(_toClient, fds));
    }

    /// <summary>Undoes <see cref="Freeze"/> after a failed hand-over. Loop thread only.</summary>
    public void Thaw()
    {
        if (_closed || !_frozen)
        {
            return;
        }

        _frozen = false;
        if (_loop.Add(_clientFd, new EpollToken(_slot, ClientSide, 0), Interest) != 0
            || (_upstreamFd >= 0 && _loop.Add(_upstreamFd, new EpollToken(_slot, ServerSide, _generation), Interest) != 0))
        {
            Close(CloseReason.ResourceExhausted);
            return;
        }

        if (Interlocked.Exchange(ref _retryDue, 0) != 0 && Server is { } server)
        {
            TryConnect(server);
        }
    }

    /// <summary>
    /// After a hand-over: the other process owns the session now, so this one lets go of its copies of the
    /// descriptors. close(2) of a descriptor another process still holds sends nothing to the peer.
    /// </summary>
    public void Forget()
    {
        if (_frozen)
        {
            Close(CloseReason.HandedOver);
        }
    }

    /// <summary>Registers the adopted session on its loop and lets the kernel report what is pending. Loop thread.</summary>
    public void StartAdopted()
    {
        _slot = _loop.Register(this);
        _context.SessionStarted();
        if (Server is { } server)
        {
            server.Counters.Assigned();
            _backend.Counters.Assigned();
        }

        if (_loop.Add(_clientFd, new EpollToken(_slot, ClientSide, 0), Interest) != 0)
        {
            Close(CloseReason.ResourceExhausted);
            return;
        }

        if (!_established)
        {
            NextAttempt();
            return;
        }

        if (_loop.Add(_upstreamFd, new EpollToken(_slot, ServerSide, _generation), Interest) != 0)
        {
            Close(CloseReason.ResourceExhausted);
        }
    }

    private static readonly DirectionHandover Idle = new(false, false, 0, -1, -1, null);

    private static DirectionHandover Export(in Direction direction, DescriptorTable fds)
    {
        if (direction.HasPipe && direction.Pending > 0)
        {
            return new DirectionHandover(direction.Ended, direction.Spliced, direction.Pending, fds.Add(direction.Pipe.Read), fds.Add(direction.Pipe.Write), null);
        }

        var buffered = direction.Buffer is { } buffer && direction.Pending > 0
            ? buffer.AsSpan(direction.Offset, direction.Pending).ToArray()
            : null;
        return new DirectionHandover(direction.Ended, direction.Spliced, 0, -1, -1, buffered);
    }

    private static void Import(ref Direction direction, DirectionHandover record, IReadOnlyList<int> fds)
    {
        direction.Ended = record.Ended;
        direction.Spliced = record.Spliced;
        if (record.PipeRead >= 0)
        {
            direction.Pipe = (fds[record.PipeRead], fds[record.PipeWrite]);
            direction.HasPipe = true;
            direction.Pending = record.Pending;
        }
        else if (record.Buffered is { Length: > 0 } bytes)
        {
            direction.Buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
            bytes.CopyTo(direction.Buffer, 0);
            direction.Offset = 0;
            direction.Pending = bytes.Length;
        }
    }
}
