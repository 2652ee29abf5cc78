using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// Managed memory a data path retains while sessions are established but silent: connects <c>count</c> proxied
/// sessions (4 sockets each), takes a full-GC baseline, starts the data path on every session, lets it settle, and
/// reports the full-GC delta per session (both directions). Socket objects are in the baseline, so the figure is what
/// the data path alone keeps alive: pending receive state, pipes, buffers. RSS delta is printed as well but includes
/// allocator and thread-stack noise.
/// </summary>
internal static class IdleMemoryProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var kinds = args.Length > 2 ? args.Skip(2).Select(Enum.Parse<DataPathKind>).ToArray() : Enum.GetValues<DataPathKind>();
        Console.WriteLine($"| data path | managed bytes / idle session | RSS delta / idle session | sessions |");
        Console.WriteLine($"|---|---:|---:|---:|");
        foreach (var kind in kinds)
        {
            await MeasureAsync(kind, count).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task MeasureAsync(DataPathKind kind, int count)
    {
        using var path = DataPath.Create(kind);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        var sessions = new (Socket Client, Socket Front, Socket Back, Socket Server)[count];
        for (var i = 0; i < count; i++)
        {
            var (client, front) = await CopierBenchmarks.ConnectPairAsync(listener).ConfigureAwait(false);
            var (back, server) = await CopierBenchmarks.ConnectPairAsync(listener).ConfigureAwait(false);
            sessions[i] = (client, front, back, server);
        }

        // Warm one session end to end so first-use statics (pools, schedulers, JIT) are not charged to idle sessions.
        await WarmAsync(path, listener).ConfigureAwait(false);

        var proxies = new Task[count];
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var rssBaseline = Process.GetCurrentProcess().WorkingSet64;
        for (var i = 0; i < count; i++)
        {
            proxies[i] = path.ProxyAsync(sessions[i].Front, sessions[i].Back);
        }

        await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        var idle = GC.GetTotalMemory(forceFullCollection: true);
        var rss = Process.GetCurrentProcess().WorkingSet64;
        GC.KeepAlive(proxies);
        Console.WriteLine($"| {path.Name} | {(idle - baseline) / (double)count:F0} | {(rss - rssBaseline) / (double)count:F0} | {count} |");

        foreach (var (client, _, _, server) in sessions)
        {
            client.Shutdown(SocketShutdown.Send);
            server.Shutdown(SocketShutdown.Send);
        }

        await Task.WhenAll(proxies).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        foreach (var (client, front, back, server) in sessions)
        {
            client.Dispose();
            front.Dispose();
            back.Dispose();
            server.Dispose();
        }
    }

    private static async Task WarmAsync(DataPath path, Socket listener)
    {
        var (client, front) = await CopierBenchmarks.ConnectPairAsync(listener).ConfigureAwait(false);
        var (back, server) = await CopierBenchmarks.ConnectPairAsync(listener).ConfigureAwait(false);
        using (client)
        using (front)
        using (back)
        using (server)
        {
            var proxy = path.ProxyAsync(front, back);
            var buffer = new byte[16];
            await client.SendAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            var n = 0;
            while (n < buffer.Length)
            {
                n += await server.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None).ConfigureAwait(false);
            }

            client.Shutdown(SocketShutdown.Send);
            server.Shutdown(SocketShutdown.Send);
            await proxy.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }
}
