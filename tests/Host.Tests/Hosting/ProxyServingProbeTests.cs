using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.L4Proxy;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.Host.Tests.Hosting;

/// <summary>The probe against a real proxy on loopback, with a real listener as its one server.</summary>
public sealed class ProxyServingProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static ProxyOptions Options(IPEndPoint server) => new()
    {
        Frontends = [new FrontendOptions { Name = "fe", Bind = new IPEndPoint(IPAddress.Loopback, 0), Backend = "be" }],
        Backends = [new BackendOptions
        {
            Name = "be",
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Health = new ServerHealthDefaults { Inter = TimeSpan.FromMilliseconds(100), Rise = 1, Fall = 1 },
            Servers = [new ServerOptions { Name = "cc1", EndPoint = server }],
        }],
    };

    private static async Task<CloudCoreLb.HealthCheck.ProbeResult> WaitForAsync(ProxyServingProbe probe, string status)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var result = await probe.ProbeAsync(CancellationToken.None);
            if (result.Status == status || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AProxyThatIsNotRunningCannotServe()
    {
        await using var runtime = new ProxyRuntime();
        var result = await new ProxyServingProbe(runtime).ProbeAsync(CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal("NOPROXY", result.Status);
    }

    [Fact]
    public async Task ItServesWhileAServerIsUpAndNotOnceTheLastOneIsDown()
    {
        var cloudcore = new TcpListener(IPAddress.Loopback, 0);
        cloudcore.Start();
        await using var runtime = new ProxyRuntime();
        await runtime.StartAsync(Options((IPEndPoint)cloudcore.LocalEndpoint), CancellationToken.None);
        var probe = new ProxyServingProbe(runtime);

        var serving = await WaitForAsync(probe, "SERVING");
        Assert.True(serving.Success, $"{serving.Status}: {serving.Detail}");

        cloudcore.Stop();
        var starved = await WaitForAsync(probe, "NOSERVER");
        Assert.False(starved.Success);
        Assert.Equal("NOSERVER", starved.Status);
        Assert.Equal("no usable server behind fe (be)", starved.Detail);
    }

    [Fact]
    public async Task AFrontendMissingFromTheKernelsListenTableCannotServe()
    {
        var cloudcore = new TcpListener(IPAddress.Loopback, 0);
        cloudcore.Start();
        try
        {
            await using var runtime = new ProxyRuntime();
            await runtime.StartAsync(Options((IPEndPoint)cloudcore.LocalEndpoint), CancellationToken.None);
            Assert.True((await WaitForAsync(new ProxyServingProbe(runtime), "SERVING")).Success);

            // The same runtime read against a listen table without its port: the kernel, not the config, decides.
            var empty = Directory.CreateTempSubdirectory("cloudcore-lb-procnet-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(empty, "tcp"), "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
                var result = await new ProxyServingProbe(runtime, empty).ProbeAsync(CancellationToken.None);
                Assert.Equal("NOLISTEN", result.Status);
                Assert.Contains($"{runtime.GetFrontendStatus()[0].EndPoint.Port}", result.Detail, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(empty, recursive: true);
            }
        }
        finally
        {
            cloudcore.Stop();
        }
    }
}
