using System.Buffers;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Benchmarks.DataPaths.SocketCopiers;

/// <summary>
/// Zero-copy forwarding with splice(2): socket -> pipe -> socket inside the kernel (docs/design/dotnet-notes.md §5: about 12 Gbit/s
/// against about 9 for user-space copies). Readiness comes from the socket's own zero-byte receive, so the sockets
/// stay in .NET's epoll engine and no thread blocks; the pipe is rented per burst from a <see cref="SplicePipePool"/>.
/// When the destination is full (EAGAIN), the bytes already in the pipe are read out and sent with an ordinary
/// <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>, which waits for
/// writability; order is preserved because the pipe is drained before the next splice in.
/// </summary>
internal sealed class SpliceDuplexCopier : IDuplexCopier, IDisposable
{
    private const int MaxChunk = SplicePipePool.PipeSize;
    private readonly SplicePipePool _pipes = new();
    private readonly SocketDuplexCopier _fallback = new();

    public ValueTask<CopyResult?> CopyAvailableAsync(Socket source, Socket destination, ICopyObserver observer, bool fromClient)
    {
        var pipe = _pipes.Rent();
        if (pipe.Read < 0)
        {
            // Out of descriptors for pipes: this burst copies in user space instead.
            return _fallback.CopyAvailableAsync(source, destination, observer, fromClient);
        }

        var owned = true;
        var pipeDirty = false;
        try
        {
            while (true)
            {
                var received = SpliceIn(source, pipe.Write, out var error);
                if (received == 0)
                {
                    return new(CopyResult.SourceClosed);
                }

                if (received < 0)
                {
                    // EAGAIN: drained, wait for readiness without holding the pipe.
                    return new(error == EAGAIN ? null : error == EBADF ? CopyResult.Aborted : CopyResult.SourceError);
                }

                pipeDirty = true;
                observer.OnReceived(fromClient, received);
                var remaining = received;
                while (remaining > 0)
                {
                    var sent = SpliceOut(pipe.Read, destination, remaining, out error);
                    if (sent > 0)
                    {
                        remaining -= sent;
                        continue;
                    }

                    if (error != EAGAIN)
                    {
                        return new(error == EBADF ? CopyResult.Aborted : CopyResult.DestinationError);
                    }

                    owned = false;
                    return DrainRestAsync(pipe, destination, remaining, received, observer, fromClient);
                }

                pipeDirty = false;
                observer.OnSent(fromClient, received);
                if (received < MaxChunk)
                {
                    // A short read drained the socket: skip the splice that would only say EAGAIN.
                    return new((CopyResult?)null);
                }
            }
        }
        finally
        {
            if (owned)
            {
                ReturnPipe(pipe, pipeDirty);
            }
        }
    }

    public void Dispose() => _pipes.Dispose();

    private void ReturnPipe((int Read, int Write) pipe, bool dirty)
    {
        if (dirty)
        {
            SplicePipePool.Close(pipe);
        }
        else
        {
            _pipes.Return(pipe);
        }
    }

    /// <summary>The destination was full: the only part of a burst that waits, with the pipe still rented.</summary>
    private async ValueTask<CopyResult?> DrainRestAsync((int Read, int Write) pipe, Socket destination, int remaining, int received, ICopyObserver observer, bool fromClient)
    {
        var dirty = true;
        try
        {
            var result = await DrainAsync(pipe.Read, destination, remaining).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }

            dirty = false;
            observer.OnSent(fromClient, received);
            return null;
        }
        finally
        {
            ReturnPipe(pipe, dirty);
        }
    }

    private static unsafe int SpliceIn(Socket source, int pipeWrite, out int error)
    {
        var handle = source.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var n = (long)splice((int)handle.DangerousGetHandle(), null, pipeWrite, null, MaxChunk, (uint)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK));
            error = n < 0 ? errno : 0;
            return (int)n;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Moves <paramref name="count"/> bytes from the pipe to the socket. Null on success.</summary>
    private static async ValueTask<CopyResult?> DrainAsync(int pipeRead, Socket destination, int count)
    {
        while (count > 0)
        {
            var sent = SpliceOut(pipeRead, destination, count, out var error);
            if (sent > 0)
            {
                count -= sent;
                continue;
            }

            if (error != EAGAIN)
            {
                return error == EBADF ? CopyResult.Aborted : CopyResult.DestinationError;
            }

            // Destination full: let the socket engine wait for writability with the bytes in user space.
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(count, 256 * 1024));
            try
            {
                var read = ReadPipe(pipeRead, buffer);
                if (read <= 0)
                {
                    return CopyResult.DestinationError;
                }

                if (await SocketDuplexCopier.SendAllAsync(destination, buffer, 0, read).ConfigureAwait(false) is { } failed)
                {
                    return failed;
                }

                count -= read;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return null;
    }

    private static unsafe int SpliceOut(int pipeRead, Socket destination, int count, out int error)
    {
        var handle = destination.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            // No SPLICE_F_MORE: like MSG_MORE it lets TCP hold a partial segment, delaying small WebSocket frames.
            var n = (long)splice(pipeRead, null, (int)handle.DangerousGetHandle(), null, count, (uint)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK));;
            error = n < 0 ? errno : 0;
            return (int)n;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static unsafe int ReadPipe(int pipeRead, byte[] buffer)
    {
        fixed (byte* p = buffer)
        {
            return (int)(long)read(pipeRead, p, buffer.Length);
        }
    }
}
