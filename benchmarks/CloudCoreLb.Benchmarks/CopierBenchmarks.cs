using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// One direction of the data path in isolation: a client writes <see cref="Megabytes"/> MiB into loopback TCP pair A,
/// the copier moves it from A's accepted end to pair B, a sink drains B until FIN. Both pairs are connected once per
/// iteration (setup excluded from nothing: about 100 us against tens of ms of copying). Compares the user-space copy
/// loop with splice(2).
/// </summary>
[MemoryDiagnoser]
public class CopierBenchmarks
{
    private readonly byte[] _chunk = new byte[256 * 1024];
    private readonly byte[] _sinkBuffer = new byte[256 * 1024];
    private readonly NullObserver _observer = new();
    private SocketDuplexCopier _socketCopier = null!;
    private SpliceDuplexCopier _spliceCopier = null!;
    private Socket _listener = null!;

    [Params(16)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _socketCopier = new SocketDuplexCopier();
        _spliceCopier = new SpliceDuplexCopier();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Random.Shared.NextBytes(_chunk);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _spliceCopier.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SocketDuplexCopier")]
    public Task<long> Copy() => RunAsync(_socketCopier);

    [Benchmark(Description = "SpliceDuplexCopier")]
    public Task<long> Splice() => RunAsync(_spliceCopier);

    private async Task<long> RunAsync(IDuplexCopier copier)
    {
        var (writer, source) = await ConnectPairAsync().ConfigureAwait(false);
        var (destination, reader) = await ConnectPairAsync().ConfigureAwait(false);
        using (writer)
        using (source)
        using (destination)
        using (reader)
        {
            var copy = copier.CopyAsync(source, destination, _observer, fromClient: true).AsTask();
            var sink = SinkAsync(reader);
            var remaining = (long)Megabytes << 20;
            while (remaining > 0)
            {
                var n = (int)Math.Min(remaining, _chunk.Length);
                remaining -= await writer.SendAsync(_chunk.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }

            writer.Shutdown(SocketShutdown.Send);
            if (await copy.ConfigureAwait(false) != CopyResult.SourceClosed)
            {
                throw new InvalidOperationException("The copy did not end with the source's FIN.");
            }

            destination.Shutdown(SocketShutdown.Send);
            var received = await sink.ConfigureAwait(false);
            if (received != (long)Megabytes << 20)
            {
                throw new InvalidOperationException($"Received {received} bytes.");
            }

            return received;
        }
    }

    private async Task<long> SinkAsync(Socket reader)
    {
        long total = 0;
        int n;
        while ((n = await reader.ReceiveAsync(_sinkBuffer, SocketFlags.None).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }

    private async Task<(Socket Client, Socket Accepted)> ConnectPairAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = _listener.AcceptAsync();
        await client.ConnectAsync(_listener.LocalEndPoint!).ConfigureAwait(false);
        var accepted = await accept.ConfigureAwait(false);
        accepted.NoDelay = true;
        return (client, accepted);
    }

    private sealed class NullObserver : ICopyObserver
    {
        public void OnReceived(bool fromClient, int bytes)
        {
        }

        public void OnSent(bool fromClient, int bytes)
        {
        }
    }
}
