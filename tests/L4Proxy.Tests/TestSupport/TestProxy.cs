using System.Net;
using System.Net.Sockets;
using System.Text;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>Starts a real proxy on loopback with fast checks, and real client sockets.</summary>
internal static class TestProxy
{
    public static BackendOptions Backend(string name, params IPEndPoint[] servers) => new()
    {
        Name = name,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        Health = new ServerHealthDefaults { Inter = TimeSpan.FromMilliseconds(100), Rise = 1, Fall = 2 },
        Servers = servers.Select((s, i) => new ServerOptions { Name = $"s{i + 1}", EndPoint = s }).ToList(),
    };

    public static FrontendOptions Frontend(string name, string backend) => new()
    {
        Name = name,
        Bind = new IPEndPoint(IPAddress.Loopback, 0),
        Backend = backend,
    };

    public static async Task<ProxyRuntime> StartAsync(ProxyOptions options, bool waitForServers = true)
    {
        var runtime = new ProxyRuntime();
        await runtime.StartAsync(options, CancellationToken.None);
        if (waitForServers)
        {
            await Wait.UntilAsync(() => runtime.GetServerStatus().Where(s => s.Checked).All(s => s.Usable), "every checked server up");
        }

        return runtime;
    }

    public static Task<ProxyRuntime> StartAsync(FrontendOptions frontend, BackendOptions backend, Action<ProxyOptions>? configure = null)
    {
        var options = new ProxyOptions { Frontends = [frontend], Backends = [backend] };
        configure?.Invoke(options);
        return StartAsync(options);
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint proxy, IPAddress? source = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await socket.ConnectAsync(proxy);
        return socket;
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, int timeoutMs = 10000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new IOException($"EOF after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }

    public static async Task<string> ReadLineAsync(Socket socket, int timeoutMs = 10000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var sb = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cts.Token);
            if (n == 0 || one[0] == '\n')
            {
                return sb.ToString();
            }

            sb.Append((char)one[0]);
        }
    }

    /// <summary>Waits for EOF or reset; returns true when the proxy closed the session within the timeout.</summary>
    public static async Task<bool> ClosedByPeerAsync(Socket socket, int timeoutMs)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>A port nothing listens on.</summary>
    public static IPEndPoint ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)s.LocalEndPoint!;
    }
}
