using System.Text;
using CloudCoreLb.Host.Metrics;
using CloudCoreLb.Host.Status;
using CloudCoreLb.Host.Tests.Status;

namespace CloudCoreLb.Host.Tests.Metrics;

public sealed class MonitoringHandlerTests
{
    private static readonly DaemonStatus Status = StatusSamples.WithEverything();

    private static MonitoringHandler Handler()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("cloudcore_lb_test_total", "A test counter.").Inc(7);
        return new MonitoringHandler(registry, () => Status);
    }

    private static Task<MonitoringResponse> Get(string path, string method = "GET") => Handler().HandleAsync(method, path, CancellationToken.None);

    private static string Header(MonitoringResponse r, string name) => Assert.Single(r.Headers, h => h.Key == name).Value;

    [Fact]
    public async Task StatusJsonIsByteForByteWhatStatusJsonPrintsOnTheControlSocket()
    {
        var r = await Get("/status.json");
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("application/json; charset=utf-8", r.ContentType);
        Assert.Equal(Encoding.UTF8.GetBytes(StatusJson.Serialize(Status)), r.Body);
    }

    [Fact]
    public async Task MetricsAreThePrometheusTextExpositionOfTheRegistry()
    {
        var r = await Get("/metrics");
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", r.ContentType);
        var text = Encoding.UTF8.GetString(r.Body);
        Assert.Contains("# TYPE cloudcore_lb_test_total counter", text, StringComparison.Ordinal);
        Assert.Contains("\ncloudcore_lb_test_total 7\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStatusPageIsTheEmbeddedHtmlWithItsOwnScriptAndStyleSheet()
    {
        var page = await Get("/status");
        Assert.Equal(200, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        var html = Encoding.UTF8.GetString(page.Body);
        Assert.Contains("<script src=\"/status.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/status.css\">", html, StringComparison.Ordinal);
        // Read-only: nothing on the page can submit anything.
        Assert.DoesNotContain("<form", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<input", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<button", html, StringComparison.OrdinalIgnoreCase);

        var script = await Get("/status.js");
        Assert.Equal("text/javascript; charset=utf-8", script.ContentType);
        var js = Encoding.UTF8.GetString(script.Body);
        Assert.Contains("fetch('/status.json'", js, StringComparison.Ordinal);
        // Values reach the page as text, never as markup.
        Assert.DoesNotContain("innerHTML", js, StringComparison.Ordinal);
        Assert.DoesNotContain("method:", js, StringComparison.Ordinal);
        Assert.Equal("text/css; charset=utf-8", (await Get("/status.css")).ContentType);
    }

    [Theory]
    [InlineData("/status")]
    [InlineData("/status.json")]
    [InlineData("/status.js")]
    [InlineData("/metrics")]
    public async Task EveryAnswerCarriesTheContentSecurityPolicyAndIsNeverCached(string path)
    {
        var r = await Get(path);
        Assert.Equal(MonitoringHandler.ContentSecurityPolicy, Header(r, "Content-Security-Policy"));
        Assert.Contains("script-src 'self'", MonitoringHandler.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("form-action 'none'", MonitoringHandler.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", MonitoringHandler.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(r, "X-Content-Type-Options"));
        Assert.Equal("no-store", Header(r, "Cache-Control"));
    }

    [Theory]
    [InlineData("POST", "/status")]
    [InlineData("PUT", "/status.json")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("PATCH", "/status.js")]
    [InlineData("OPTIONS", "/status")]
    public async Task AnyMethodButGetAndHeadIsRefusedWith405AndTheAllowedOnes(string method, string path)
    {
        var r = await Get(path, method);
        Assert.Equal(405, r.StatusCode);
        Assert.Equal("GET, HEAD", Header(r, "Allow"));
    }

    [Fact]
    public async Task HeadAnswersLikeGet()
    {
        var get = await Get("/status.json");
        var head = await Get("/status.json", "HEAD");
        Assert.Equal(200, head.StatusCode);
        Assert.Equal(get.Body, head.Body);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/reload")]
    [InlineData("/status/")]
    [InlineData("/status.json/x")]
    public async Task AnyOtherPathIsNotFound(string path)
    {
        var r = await Get(path);
        Assert.Equal(404, r.StatusCode);
        Assert.Contains("/status.json", Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal);
    }
}
