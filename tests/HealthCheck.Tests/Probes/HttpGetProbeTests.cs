using System.Net;
using System.Net.Sockets;
using System.Text;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.HealthCheck.Tests.TestSupport;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class HttpGetProbeTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _server;
    private int _connections;

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Task InitializeAsync()
    {
        _listener.Start();
        _server = ServeAsync();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _server!;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    [Fact]
    public async Task Status200_Passes()
    {
        using var probe = new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri($"http://127.0.0.1:{Port}/ca.crt") });

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal("L7OK", result.Status);
    }

    [Fact]
    public async Task Status404_FailsLikeTheUpstreamReadyzCheck()
    {
        using var probe = new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri($"http://127.0.0.1:{Port}/readyz") });

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("L7STS", result.Status);
        Assert.Contains("404", result.Detail);
    }

    [Fact]
    public async Task Status404_PassesWhenTheRangeAllowsIt()
    {
        using var probe = new HttpGetProbe(new HttpGetProbeOptions
        {
            Uri = new Uri($"http://127.0.0.1:{Port}/readyz"),
            ExpectedStatusMin = 200,
            ExpectedStatusMax = 499,
        });

        Assert.True((await probe.ProbeAsync(CancellationToken.None)).Success);
    }

    [Fact]
    public async Task EveryCheck_OpensItsOwnConnection()
    {
        using var probe = new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri($"http://127.0.0.1:{Port}/ca.crt") });

        await probe.ProbeAsync(CancellationToken.None);
        await probe.ProbeAsync(CancellationToken.None);
        await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(3, Volatile.Read(ref _connections));
    }

    [Fact]
    public async Task RefusedPort_FailsWithL4Con()
    {
        using var closed = new HeldPort();
        var port = closed.Port;
        closed.StopListening();
        using var probe = new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri($"http://127.0.0.1:{port}/") });

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("L4CON", result.Status);
    }

    [Fact]
    public async Task SilentServer_StopsPromptlyWhenCancelled()
    {
        using var probe = new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri($"http://127.0.0.1:{Port}/hang") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.ProbeAsync(timeout.Token).AsTask());
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new HttpGetProbe(new HttpGetProbeOptions { Uri = new Uri("ftp://x/") }));
        Assert.Throws<ArgumentException>(() => new HttpGetProbe(new HttpGetProbeOptions
        {
            Uri = new Uri("http://127.0.0.1/"),
            ExpectedStatusMin = 400,
            ExpectedStatusMax = 200,
        }));
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = HandleAsync(client);
        }
    }

    // A minimal HTTP/1.1 responder: /ca.crt answers 200, /hang never answers, anything else 404.
    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), _stop.Token);
                if (n == 0)
                {
                    return;
                }

                read += n;
                if (Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }

            var requestLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
            if (requestLine.Contains(" /hang ", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            var status = requestLine.Contains(" /ca.crt ", StringComparison.Ordinal) ? "200 OK" : "404 Not Found";
            var response = $"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
        }
    }
}
