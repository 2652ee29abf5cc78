using System.Net;

namespace CloudCoreLb.Host.Configuration;

/// <summary>The Prometheus endpoint.</summary>
internal sealed record MetricsOptions
{
    /// <summary>Where <c>/metrics</c> is served; null = off. <remarks>Defaults to 127.0.0.1:9842 (loopback only).</remarks></summary>
    public IPEndPoint? Listen { get; init; } = new(IPAddress.Loopback, 9842);
}
