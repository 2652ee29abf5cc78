using System.Net;
using CloudCoreLb.Host.Metrics;
using CloudCoreLb.Host.Tests.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Host.Tests.Metrics;

public sealed class MonitoringListenerTests : IAsyncLifetime
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MonitoringListener? _listener;
    private Uri _base = null!;

    public Task InitializeAsync()
    {
        var handler = new MonitoringHandler(Prometheus.Metrics.NewCustomRegistry(), StatusSamples.WithEverything);
        // HttpListener cannot bind port 0; a random high port is retried while it is someone else's.
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = new IPEndPoint(IPAddress.Loopback, Random.Shared.Next(20000, 60000));
            try
            {
                _listener = MonitoringListener.Start(endpoint, handler, NullLogger.Instance);
                _base = new Uri($"http://{endpoint}/");
                return Task.CompletedTask;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetServesTheStatusDocumentAndIgnoresTheQueryString()
    {
        var plain = await Client.GetStringAsync(new Uri(_base, "status.json"));
        var queried = await Client.GetStringAsync(new Uri(_base, "status.json?reload=1&server=cc1&state=maint"));
        Assert.Equal(plain, queried);
    }

    [Fact]
    public async Task HeadAnnouncesTheLengthAndSendsNoBody()
    {
        var get = await Client.GetByteArrayAsync(new Uri(_base, "status"));
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(_base, "status")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(MonitoringHandler.ContentSecurityPolicy, Assert.Single(head.Headers.GetValues("Content-Security-Policy")));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task WritingMethodsGet405OnTheWire(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_base, "status.json")) { Content = new StringContent("{}") };
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }
}
