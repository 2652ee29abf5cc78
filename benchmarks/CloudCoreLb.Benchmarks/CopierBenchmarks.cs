using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using CloudCoreLb.Benchmarks.DataPaths;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// The data path in isolation, one <see cref="DataPathKind"/> per parameter value: client -> loopback pair A -> data
/// path -> loopback pair B -> server, both directions proxied with half-close. Both pairs are connected per operation
/// (about 0.1 ms, included). <see cref="Bulk"/> pushes <see cref="BulkMegabytes"/> MiB one way and waits for the FIN
/// at the server; <see cref="PingPong"/> does <see cref="RoundTrips"/> request/response exchanges of
/// <see cref="MessageBytes"/> bytes (echo server), so it measures per-message latency through two proxy hops.
/// </summary>
[MemoryDiagnoser]
public class CopierBenchmarks
{
    public const int BulkMegabytes = 16;
    public const int RoundTrips = 1000;
    public const int MessageBytes = 64;

    private readonly byte[] _chunk = new byte[256 * 1024];
    private readonly byte[] _sinkBuffer = new byte[256 * 1024];
    private readonly byte[] _message = new byte[MessageBytes];
    private readonly byte[] _reply = new byte[MessageBytes];
    private readonly byte[] _echo = new byte[MessageBytes];
    private DataPath _path = null!;
    private Socket _listener = null!;

    [ParamsAllValues]
    public DataPathKind Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = DataPath.Create(Path);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Random.Shared.NextBytes(_chunk);
        Random.Shared.NextBytes(_message);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _path.Dispose();
    }

    [Benchmark(Description = "bulk 16 MiB")]
    public async Task<long> Bulk()
    {
        var (client, proxyFront) = await ConnectPairAsync(_listener).ConfigureAwait(false);
        var (proxyBack, server) = await ConnectPairAsync(_listener).ConfigureAwait(false);
        using (client)
        using (proxyFront)
        using (proxyBack)
        using (server)
        {
            var proxy = _path.ProxyAsync(proxyFront, proxyBack);
            var sink = SinkAsync(server);
            var remaining = (long)BulkMegabytes << 20;
            while (remaining > 0)
            {
                var n = (int)Math.Min(remaining, _chunk.Length);
                remaining -= await client.SendAsync(_chunk.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }

            client.Shutdown(SocketShutdown.Send);
            var received = await sink.ConfigureAwait(false);
            if (received != (long)BulkMegabytes << 20)
            {
                throw new InvalidOperationException($"{_path.Name}: received {received} bytes.");
            }

            server.Shutdown(SocketShutdown.Send);
            await proxy.ConfigureAwait(false);
            return received;
        }
    }

    [Benchmark(Description = "ping-pong 1000 x 64 B")]
    public async Task<int> PingPong()
    {
        var (client, proxyFront) = await ConnectPairAsync(_listener).ConfigureAwait(false);
        var (proxyBack, server) = await ConnectPairAsync(_listener).ConfigureAwait(false);
        using (client)
        using (proxyFront)
        using (proxyBack)
        using (server)
        {
            var proxy = _path.ProxyAsync(proxyFront, proxyBack);
            var echo = EchoAsync(server);
            for (var i = 0; i < RoundTrips; i++)
            {
                await client.SendAsync(_message.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                await ReceiveExactlyAsync(client, _reply).ConfigureAwait(false);
            }

            client.Shutdown(SocketShutdown.Send);
            await echo.ConfigureAwait(false);
            await proxy.ConfigureAwait(false);
            return RoundTrips;
        }
    }

    internal static async Task<(Socket Client, Socket Accepted)> ConnectPairAsync(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).ConfigureAwait(false);
        var accepted = await accept.ConfigureAwait(false);
        accepted.NoDelay = true;
        return (client, accepted);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                throw new InvalidOperationException("Unexpected FIN.");
            }

            offset += n;
        }
    }

    private async Task EchoAsync(Socket server)
    {
        int n;
        while ((n = await server.ReceiveAsync(_echo.AsMemory(), SocketFlags.None).ConfigureAwait(false)) > 0)
        {
            await server.SendAsync(_echo.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
        }

        server.Shutdown(SocketShutdown.Send);
    }

    private async Task<long> SinkAsync(Socket reader)
    {
        long total = 0;
        int n;
        while ((n = await reader.ReceiveAsync(_sinkBuffer.AsMemory(), SocketFlags.None).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }
}
