using CloudCoreLb.HealthCheck.Tracking;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A named check from the <c>checks:</c> section; each tracking instance gets its own running copy.</summary>
/// <param name="Name">The name instances track it by.</param>
/// <param name="Type">The check's type as written (listener, tcp, http, exec), for status output.</param>
/// <param name="Options">What it checks and how often.</param>
internal sealed record CheckDefinition(string Name, string Type, TrackingOptions Options)
{
    public TrackedCheck Create(TimeProvider time, ILogger logger) => TrackedCheck.Create(Options, time, logger);
}
