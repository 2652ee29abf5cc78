using System.Buffers;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Moving bytes (docs/design/l4proxy.md §5, docs/design/dotnet-notes.md §5). Descriptors are edge-triggered, so each direction reads until
/// the source is drained, or until the destination is full: then it stops reading and resumes on the destination's
/// EPOLLOUT. A direction starts on the copy path (recv into the loop's shared buffer, send; a rented array only for
/// bytes the destination would not take yet), which costs fewer syscalls and less kernel time than splice for the
/// small messages of short connections and WebSocket frames. The first read that fills the whole buffer switches the
/// direction to splice(2) (socket -> pipe -> socket inside the kernel, the pipe rented from the loop only while bytes
/// are in it), like haproxy's <c>splice-auto</c>: bulk transfers never cross user space.
/// </summary>
internal sealed partial class ProxyConnection
{
    private const int MaxSplice = SplicePipePool.PipeSize;

    private static ReadHint HintOf(uint events) =>
        (events & EpollEvents.EndOrError) == 0 ? ReadHint.ShortReadDrains
        : (events & (EpollEvents.ReadHangUp | EpollEvents.Error)) == EpollEvents.ReadHangUp ? ReadHint.FinAfterShortRead
        : ReadHint.ReadToEnd;

    private void Transfer(bool fromClient, ReadHint hint)
    {
        if (_preservedSlot < 0)
        {
            TransferCore(fromClient, hint);
            return;
        }

        // A stored session is busy while bytes may be in user space or a pipe, which a crash would lose.
        _context.Preservation!.MarkBusy(_preservedSlot);
        TransferCore(fromClient, hint);
        MarkSettledIfIdle();
    }

    private void TransferCore(bool fromClient, ReadHint hint)
    {
        ref var direction = ref fromClient ? ref _toServer : ref _toClient;
        if (direction.Ended)
        {
            return;
        }

        var source = fromClient ? _clientFd : _upstreamFd;
        var destination = fromClient ? _upstreamFd : _clientFd;
        var result = direction.Spliced && direction.Buffer is null
            ? Splice(ref direction, source, destination, fromClient)
            : Copy(ref direction, source, destination, fromClient, hint);
        switch (result)
        {
            case null:
                return;
            case CopyResult.SourceClosed:
                // True half-close: everything read was written, so pass the FIN on and keep the other direction
                // flowing; the session ends when both directions did (no CLOSE_WAIT build-up).
                direction.Ended = true;
                if (_firstFinFrom == SessionSide.None)
                {
                    _firstFinFrom = fromClient ? SessionSide.Client : SessionSide.Server;
                }

                _halfClosed |= fromClient ? FlagClientEof | FlagServerWriteShut : FlagServerEof | FlagClientWriteShut;
                if (_toServer.Ended && _toClient.Ended)
                {
                    // Both sources are at EOF with nothing unread, so close() itself sends the last FIN (not a RST):
                    // no shutdown call for the second direction.
                    Close(_firstFinFrom == SessionSide.Server ? CloseReason.ServerClosed : CloseReason.ClientClosed);
                    return;
                }

                // Pass the FIN on once this batch of events is dispatched: when the other side's FIN is in the same
                // batch (a client closing as soon as it has the response) the session just closes, one syscall less.
                _deferredFinTo = fromClient ? SessionSide.Server : SessionSide.Client;
                _loop.Defer(this);
                return;
            case CopyResult.SourceError:
                Close(fromClient ? CloseReason.ClientReset : CloseReason.ServerReset);
                return;
            default:
                Close(fromClient ? CloseReason.ServerReset : CloseReason.ClientReset);
                return;
        }
    }

    private unsafe CopyResult? Splice(ref Direction direction, int source, int destination, bool fromClient)
    {
        const uint Flags = 1 | 2; // SPLICE_F_MOVE | SPLICE_F_NONBLOCK; no SPLICE_F_MORE, it delays small frames.
        while (true)
        {
            if (direction.Pending > 0)
            {
                var sent = (int)(long)splice(direction.Pipe.Read, null, destination, null, direction.Pending, Flags);
                if (sent > 0)
                {
                    direction.Pending -= sent;
                    OnSent(fromClient);
                    continue;
                }

                var error = errno;
                if (error == EINTR)
                {
                    continue;
                }

                return error == EAGAIN ? null : CopyResult.DestinationError;
            }

            if (!direction.HasPipe)
            {
                var pipe = _loop.Pipes!.Rent();
                if (pipe.Read < 0)
                {
                    // Out of descriptors for pipes: this burst goes through user space instead.
                    return Copy(ref direction, source, destination, fromClient, ReadHint.ReadToEnd);
                }

                direction.Pipe = pipe;
                direction.HasPipe = true;
            }

            var received = (int)(long)splice(source, null, direction.Pipe.Write, null, MaxSplice, Flags);
            if (received > 0)
            {
                direction.Pending = received;
                OnReceived(fromClient, received);
                continue;
            }

            var readError = received == 0 ? 0 : errno;
            if (readError == EINTR)
            {
                continue;
            }

            // The pipe is empty: an idle direction holds none.
            _loop.Pipes!.Return(direction.Pipe);
            direction.HasPipe = false;
            return received == 0 ? CopyResult.SourceClosed : readError == EAGAIN ? null : CopyResult.SourceError;
        }
    }

    private unsafe CopyResult? Copy(ref Direction direction, int source, int destination, bool fromClient, ReadHint hint)
    {
        while (true)
        {
            if (direction.Pending > 0)
            {
                int sent;
                fixed (byte* p = direction.Buffer)
                {
                    sent = (int)(long)send(destination, p + direction.Offset, direction.Pending, MSG_NOSIGNAL);
                }

                if (sent < 0)
                {
                    var error = errno;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    return error == EAGAIN ? null : CopyResult.DestinationError;
                }

                direction.Offset += sent;
                direction.Pending -= sent;
                OnSent(fromClient);
                if (direction.Pending == 0)
                {
                    ArrayPool<byte>.Shared.Return(direction.Buffer!);
                    direction.Buffer = null;
                }

                continue;
            }

            var buffer = _loop.CopyBuffer;
            int received;
            fixed (byte* p = buffer)
            {
                received = (int)(long)recv(source, p, buffer.Length, 0);
            }

            if (received <= 0)
            {
                var readError = received == 0 ? 0 : errno;
                if (readError == EINTR)
                {
                    continue;
                }

                return received == 0 ? CopyResult.SourceClosed : readError == EAGAIN ? null : CopyResult.SourceError;
            }

            OnReceived(fromClient, received);
            var last = received < buffer.Length && hint == ReadHint.FinAfterShortRead;
            int written;
            fixed (byte* p = buffer)
            {
                // The last bytes before the FIN wait for it (MSG_MORE): the FIN, sent at the end of this event batch
                // or by close(), pushes both in one segment instead of two, and the receiver wakes once.
                written = (int)(long)send(destination, p, received, last ? MSG_NOSIGNAL | MSG_MORE : MSG_NOSIGNAL);
            }

            if (written < 0)
            {
                var error = errno;
                if (error != EAGAIN && error != EINTR)
                {
                    return CopyResult.DestinationError;
                }

                written = 0;
            }

            if (written > 0)
            {
                OnSent(fromClient);
            }

            if (written < received)
            {
                // The destination is full: keep the rest (the shared buffer belongs to the next session) and wait.
                var rest = received - written;
                direction.Buffer = ArrayPool<byte>.Shared.Rent(rest);
                buffer.AsSpan(written, rest).CopyTo(direction.Buffer);
                direction.Offset = 0;
                direction.Pending = rest;
                continue;
            }

            if (received == buffer.Length)
            {
                if (_loop.Pipes is not null)
                {
                    // A full buffer: bulk. From now on this direction splices.
                    direction.Spliced = true;
                    return Splice(ref direction, source, destination, fromClient);
                }
            }
            else if (last)
            {
                // Only the FIN is left: no read just to see the EOF.
                return CopyResult.SourceClosed;
            }
            else if (hint == ReadHint.ShortReadDrains)
            {
                return null;
            }
        }
    }

    private void OnReceived(bool fromClient, int bytes)
    {
        var now = _context.Time.GetTimestamp();
        if (fromClient)
        {
            _clientActivity = now;
            _frontend.Counters.AddIn(bytes);
            _backend.Counters.AddIn(bytes);
            Server!.Counters.AddIn(bytes);
        }
        else
        {
            _serverActivity = now;
            _frontend.Counters.AddOut(bytes);
            _backend.Counters.AddOut(bytes);
            Server!.Counters.AddOut(bytes);
        }
    }

    /// <summary>A completed write counts as activity of the side written to.</summary>
    private void OnSent(bool fromClient)
    {
        var now = _context.Time.GetTimestamp();
        if (fromClient)
        {
            _serverActivity = now;
        }
        else
        {
            _clientActivity = now;
        }
    }

    /// <summary>A pipe that may still hold bytes is closed, not pooled.</summary>
    private void ReleaseBuffers(ref Direction direction)
    {
        if (direction.HasPipe)
        {
            if (direction.Pending > 0)
            {
                SplicePipePool.Close(direction.Pipe);
            }
            else
            {
                _loop.Pipes!.Return(direction.Pipe);
            }

            direction.HasPipe = false;
        }

        if (direction.Buffer is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
            direction.Buffer = null;
        }

        direction.Pending = 0;
    }
}
