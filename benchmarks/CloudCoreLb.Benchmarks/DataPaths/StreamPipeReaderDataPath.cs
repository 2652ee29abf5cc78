using System.IO.Pipelines;
using System.Net.Sockets;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// Plain System.IO.Pipelines: <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions)"/> over a
/// <see cref="NetworkStream"/> with the reader options of docs/design/dotnet-notes.md §5, written to the other socket's stream either
/// with <see cref="PipeReader.CopyToAsync(Stream, CancellationToken)"/> (which StreamPipeReader forwards to
/// <see cref="Stream.CopyToAsync(Stream)"/>) or with an explicit read loop, the way a pipeline-based proxy would use it.
/// </summary>
internal sealed class StreamPipeReaderDataPath(bool zeroByteReads, bool copyToAsync) : DataPath
{
    private readonly StreamPipeReaderOptions _options = new(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true, useZeroByteReads: zeroByteReads);

    public override string Name => copyToAsync
        ? "PipeReader.Create(NetworkStream).CopyToAsync"
        : "PipeReader.Create(NetworkStream) loop" + (zeroByteReads ? ", zero-byte reads" : string.Empty);

    public override Task ProxyAsync(Socket client, Socket server) =>
        Task.WhenAll(DirectionAsync(client, server), DirectionAsync(server, client));

    private async Task DirectionAsync(Socket source, Socket destination)
    {
        await using var input = new NetworkStream(source, ownsSocket: false);
        await using var output = new NetworkStream(destination, ownsSocket: false);
        var reader = PipeReader.Create(input, _options);
        if (copyToAsync)
        {
            await reader.CopyToAsync(output).ConfigureAwait(false);
        }
        else
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    await output.WriteAsync(segment).ConfigureAwait(false);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
        destination.Shutdown(SocketShutdown.Send);
    }
}
