using System.IO.Pipelines;
using System.Net.Sockets;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// Plain System.IO.Pipelines: <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions)"/> over a
/// <see cref="NetworkStream"/>, copied into the other socket's stream, with the reader options of dotnet-notes §5.
/// </summary>
internal sealed class StreamPipeReaderDataPath : DataPath
{
    private static readonly StreamPipeReaderOptions Options = new(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true);

    public override string Name => "PipeReader.Create(NetworkStream)";

    public override Task ProxyAsync(Socket client, Socket server) =>
        Task.WhenAll(DirectionAsync(client, server), DirectionAsync(server, client));

    private static async Task DirectionAsync(Socket source, Socket destination)
    {
        await using var input = new NetworkStream(source, ownsSocket: false);
        await using var output = new NetworkStream(destination, ownsSocket: false);
        var reader = PipeReader.Create(input, Options);
        await reader.CopyToAsync(output).ConfigureAwait(false);
        await reader.CompleteAsync().ConfigureAwait(false);
        destination.Shutdown(SocketShutdown.Send);
    }
}
