using System.Text;
using CloudCoreLb.Host.Status;
using Prometheus;

namespace CloudCoreLb.Host.Metrics;

/// <summary>
/// What the metrics listener answers, by method and path: <c>/metrics</c> (prometheus-net's own text exposition of
/// the registry), <c>/status</c> with its script and style sheet (embedded in the assembly), and <c>/status.json</c>
/// (the bytes <c>status --json</c> prints). Read-only by construction: GET and HEAD only, the query string is never
/// read, and nothing here changes the daemon.
/// </summary>
internal sealed class MonitoringHandler(CollectorRegistry registry, Func<DaemonStatus> status)
{
    /// <summary>
    /// The page runs only its own script and style sheet, fetches only from this listener, embeds nowhere, and
    /// submits nowhere: a config-supplied name that slipped past escaping still could not run or send anything.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string PrometheusTextType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly KeyValuePair<string, string>[] CommonHeaders =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "no-referrer"),
        new("Cache-Control", "no-store"),
    ];

    private static readonly KeyValuePair<string, string>[] MethodNotAllowedHeaders = [.. CommonHeaders, new("Allow", "GET, HEAD")];

    /// <summary>Answers one request; <paramref name="path"/> is the URL's path without its query.</summary>
    public async Task<MonitoringResponse> HandleAsync(string method, string path, CancellationToken cancellationToken)
    {
        var known = path is "/metrics" or "/metrics/" or "/status" or "/status.json" || StatusPage.Find(path) is not null;
        if (!known)
        {
            return Text(404, "not found: this listener serves /metrics, /status and /status.json\n");
        }

        if (method is not ("GET" or "HEAD"))
        {
            return new MonitoringResponse(405, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"method {method} not allowed: read-only, GET or HEAD\n"), MethodNotAllowedHeaders);
        }

        switch (path)
        {
            case "/metrics" or "/metrics/":
                return await MetricsAsync(cancellationToken).ConfigureAwait(false);
            case "/status.json":
                return new MonitoringResponse(200, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(StatusJson.Serialize(status())), CommonHeaders);
            case "/status":
                path = StatusPage.PagePath;
                break;
        }

        var asset = StatusPage.Find(path)!;
        return new MonitoringResponse(200, asset.ContentType, asset.Content, CommonHeaders);
    }

    private async Task<MonitoringResponse> MetricsAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        try
        {
            await registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (ScrapeFailedException ex)
        {
            // prometheus-net's own contract for a collector that cannot answer now.
            return Text(503, ex.Message + "\n");
        }

        return new MonitoringResponse(200, PrometheusTextType, buffer.ToArray(), CommonHeaders);
    }

    private static MonitoringResponse Text(int code, string text) =>
        new(code, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text), CommonHeaders);
}
