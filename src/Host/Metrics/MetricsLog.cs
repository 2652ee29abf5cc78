using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Metrics;

/// <summary>Log messages of the metrics endpoint (event ids 5300-5319).</summary>
internal static partial class MetricsLog
{
    [LoggerMessage(EventId = 5300, EventName = "MetricsListening", Level = LogLevel.Information, Message = "Prometheus metrics on http://{Endpoint}/metrics, status page on http://{Endpoint}/status")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5301, EventName = "MetricsListenFailed", Level = LogLevel.Error, Message = "Prometheus endpoint {Endpoint} could not start; running without metrics")]
    public static partial void ListenFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 5302, EventName = "MonitoringRequestFailed", Level = LogLevel.Warning, Message = "{Method} {Path} on the metrics listener failed; answered 500")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);
}
