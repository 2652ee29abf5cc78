using System.IO.Pipelines;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// Pipelines.Sockets.Unofficial: a <see cref="SocketConnection"/> over each socket (its own receive and send loops
/// and two pipes per socket) and <see cref="PipeReader.CopyToAsync(PipeWriter, CancellationToken)"/> per direction.
/// Completing a connection's output makes its send loop flush and shut the socket's send side, which forwards FIN.
/// </summary>
internal sealed class PipelinesSocketsDataPath(bool tuned, bool zeroLengthReads) : DataPath
{
    // docs/design/dotnet-notes.md §5: thread-pool schedulers, 1 MiB / 512 KiB back-pressure, 64 KiB segments.
    private static readonly PipeOptions Tuned = new(
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false);

    private readonly PipeOptions? _options = tuned ? Tuned : null;

    private readonly SocketConnectionOptions _connectionOptions = zeroLengthReads ? SocketConnectionOptions.ZeroLengthReads : SocketConnectionOptions.None;

    public override string Name => (tuned ? "PSU SocketConnection, tuned" : "PSU SocketConnection, default") + (zeroLengthReads ? ", zero-length reads" : string.Empty);

    public override async Task ProxyAsync(Socket client, Socket server)
    {
        using var clientConnection = SocketConnection.Create(client, _options, _connectionOptions);
        using var serverConnection = SocketConnection.Create(server, _options, _connectionOptions);
        await Task.WhenAll(
            DirectionAsync(clientConnection.Input, serverConnection.Output),
            DirectionAsync(serverConnection.Input, clientConnection.Output)).ConfigureAwait(false);
    }

    private static async Task DirectionAsync(PipeReader source, PipeWriter destination)
    {
        await source.CopyToAsync(destination).ConfigureAwait(false);
        await destination.CompleteAsync().ConfigureAwait(false);
        await source.CompleteAsync().ConfigureAwait(false);
    }
}
