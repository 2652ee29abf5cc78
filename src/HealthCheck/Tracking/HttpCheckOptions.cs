using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>An HTTP GET check (<see cref="HttpGetProbe"/>): passes on a status in the expected range.</summary>
public sealed record HttpCheckOptions : TrackingOptions
{
    /// <summary>URL, accepted statuses and TLS validation.</summary>
    public required HttpGetProbeOptions Probe { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(base.Validate());
        foreach (var error in Probe?.Validate() ?? ["an HTTP check needs a URL"])
        {
            errors.Add($"check '{Name}': {error}");
        }

        return errors;
    }
}
