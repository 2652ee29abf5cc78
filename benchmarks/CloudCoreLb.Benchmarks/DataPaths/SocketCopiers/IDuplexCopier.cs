using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.Benchmarks.DataPaths.SocketCopiers;

/// <summary>
/// The data-path seam: moves the bytes of one direction of a session. Half-close and timeouts live in
/// <see cref="ProxyConnection"/>, so a splice(2) implementation only has to move bytes. An abort disposes both
/// sockets; a copier must then return promptly.
/// </summary>
/// <remarks>
/// Sessions wait for readability themselves (<c>SessionPump</c>: one zero-byte receive per direction, no
/// suspended async method) and call <see cref="CopyAvailableAsync"/> once the source is readable, so an idle session
/// holds no copier state at all.
/// </remarks>
internal interface IDuplexCopier
{
    /// <summary>
    /// Moves what the readable <paramref name="source"/> has queued. Null when the source is drained (the caller waits
    /// for readability again), otherwise how the direction ended. Completes synchronously unless the destination is
    /// full.
    /// </summary>
    ValueTask<CopyResult?> CopyAvailableAsync(Socket source, Socket destination, ICopyObserver observer, bool fromClient);

    /// <summary>Copies one direction until the source's FIN, an error or an abort (benchmarks, tools).</summary>
    async ValueTask<CopyResult> CopyAsync(Socket source, Socket destination, ICopyObserver observer, bool fromClient)
    {
        while (true)
        {
            try
            {
                await source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                if (await CopyAvailableAsync(source, destination, observer, fromClient).ConfigureAwait(false) is { } result)
                {
                    return result;
                }
            }
            catch (ObjectDisposedException)
            {
                return CopyResult.Aborted;
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode == SocketError.OperationAborted ? CopyResult.Aborted : CopyResult.SourceError;
            }
        }
    }
}
