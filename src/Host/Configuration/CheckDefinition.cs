using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.L4Proxy;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A named check from the <c>checks:</c> section; each tracking instance gets its own running copy.</summary>
/// <param name="Name">The name instances track it by.</param>
/// <param name="Type">The check's type as written (listener, tcp, http, exec, proxy), for status output.</param>
/// <param name="Options">What it checks and how often.</param>
internal sealed record CheckDefinition(string Name, string Type, TrackingOptions Options)
{
    /// <summary>A running copy; a <c>proxy</c> check reads <paramref name="proxy"/>, this daemon's own.</summary>
    public TrackedCheck Create(TimeProvider time, ILogger logger, ProxyRuntime proxy) => Options is ProxyCheckOptions
        ? new TrackedCheck(Options, new ProxyServingProbe(proxy), time, logger)
        : TrackedCheck.Create(Options, time, logger);
}
