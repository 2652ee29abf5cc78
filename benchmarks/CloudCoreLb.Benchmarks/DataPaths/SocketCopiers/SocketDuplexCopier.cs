using System.Buffers;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.Benchmarks.DataPaths.SocketCopiers;

/// <summary>
/// Copies in user space with non-blocking receive/send and a pooled array held only for one burst (the session's
/// zero-byte receive already waited for readability, as Kestrel's <c>WaitForDataBeforeAllocatingBuffer</c>), so an
/// idle session holds no buffer. Only a full destination goes async (<see cref="Socket.SendAsync(ReadOnlyMemory{byte},
/// SocketFlags, CancellationToken)"/> waits for writability). Chosen over <c>PipeReader.Create(NetworkStream)</c>
/// (docs/design/dotnet-notes.md §5, about 9 Gbit/s) because it does the same syscalls without two streams and two pipes per session
/// and keeps half-close explicit.
/// </summary>
internal sealed class SocketDuplexCopier : IDuplexCopier
{
    /// <summary>Default burst buffer: 64 KiB, the size the notes measured best.</summary>
    public const int DefaultBufferSize = 64 * 1024;

    private readonly int _bufferSize;

    public SocketDuplexCopier(int bufferSize = DefaultBufferSize) => _bufferSize = bufferSize;

    public ValueTask<CopyResult?> CopyAvailableAsync(Socket source, Socket destination, ICopyObserver observer, bool fromClient)
    {
        // Non-blocking mode makes the synchronous calls return WouldBlock instead of parking the thread.
        if (source.Blocking)
        {
            source.Blocking = false;
        }

        if (destination.Blocking)
        {
            destination.Blocking = false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(_bufferSize);
        var owned = true;
        try
        {
            while (true)
            {
                var received = source.Receive(buffer, 0, buffer.Length, SocketFlags.None, out var error);
                if (error != SocketError.Success)
                {
                    return new(error switch
                    {
                        SocketError.WouldBlock => null,
                        SocketError.OperationAborted => CopyResult.Aborted,
                        _ => CopyResult.SourceError,
                    });
                }

                if (received == 0)
                {
                    return new(CopyResult.SourceClosed);
                }

                observer.OnReceived(fromClient, received);
                var sent = destination.Send(buffer, 0, received, SocketFlags.None, out error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    return new(error == SocketError.OperationAborted ? CopyResult.Aborted : CopyResult.DestinationError);
                }

                if (sent < received)
                {
                    owned = false;
                    return SendRestAsync(buffer, sent, received, destination, observer, fromClient);
                }

                observer.OnSent(fromClient, received);
                if (received < buffer.Length)
                {
                    // A short read drained the socket: skip the receive that would only say EAGAIN.
                    return new((CopyResult?)null);
                }
            }
        }
        finally
        {
            if (owned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async ValueTask<CopyResult?> SendRestAsync(byte[] buffer, int offset, int count, Socket destination, ICopyObserver observer, bool fromClient)
    {
        try
        {
            var result = await SendAllAsync(destination, buffer, offset, count).ConfigureAwait(false);
            if (result is null)
            {
                observer.OnSent(fromClient, count);
            }

            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sends <c>buffer[offset..count)</c>, waiting for writability as needed. Null on success; a disposed or aborted
    /// socket is <see cref="CopyResult.Aborted"/>, any other failure <see cref="CopyResult.DestinationError"/>.
    /// </summary>
    internal static async ValueTask<CopyResult?> SendAllAsync(Socket destination, byte[] buffer, int offset, int count)
    {
        try
        {
            while (offset < count)
            {
                offset += await destination.SendAsync(buffer.AsMemory(offset, count - offset), SocketFlags.None).ConfigureAwait(false);
            }

            return null;
        }
        catch (ObjectDisposedException)
        {
            return CopyResult.Aborted;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode == SocketError.OperationAborted ? CopyResult.Aborted : CopyResult.DestinationError;
        }
    }
}
