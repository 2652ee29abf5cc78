using CloudCoreLb.HealthCheck;
using CloudCoreLb.HealthCheck.Tracking;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A named check from the <c>checks:</c> section; each tracking instance gets its own running copy.</summary>
internal sealed class CheckDefinition
{
    public required string Name { get; init; }

    /// <summary>The check's type as written (listener, tcp, http, exec), for status output.</summary>
    public required string Type { get; init; }

    public required TrackingOptions Options { get; init; }

    public TrackedCheck Create(TimeProvider time, ILogger logger) => Options switch
    {
        TrackedScriptOptions script => TrackedCheck.ForScript(script, time, logger),
        ListenerCheckOptions listener => TrackedCheck.ForListener(listener, time, logger),
        ProbeCheckOptions probe => new TrackedCheck(probe, probe.CreateProbe(), time, logger),
        _ => throw new InvalidOperationException($"check '{Name}' has no runnable type"),
    };
}

/// <summary>Tracking options for checks whose probe is built from config (tcp, http).</summary>
internal sealed record ProbeCheckOptions : TrackingOptions
{
    public required Func<IHealthProbe> CreateProbe { get; init; }

    /// <summary>What the probe checks (URL, address), for status and for telling whether a reload changed it.</summary>
    public required string Target { get; init; }
}
