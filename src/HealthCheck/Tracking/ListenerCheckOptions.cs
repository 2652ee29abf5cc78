using System.Net;
using CloudCoreLb.HealthCheck.Collections;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>
/// A native "is something listening on these local ports" check (<see cref="Probes.ListenerProbe"/>): what the
/// seed's <c>netstat -nlp | grep 10000</c> script meant, without a fork per check or the substring bug.
/// </summary>
public sealed record ListenerCheckOptions : TrackingOptions
{
    /// <summary>Ports that must all have a listener.</summary>
    public required ValueList<int> Ports { get; init; }

    /// <summary>Local address the listeners must accept. <remarks>Defaults to null: any.</remarks></summary>
    public IPAddress? Address { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(base.Validate());
        if (Ports is null || Ports.Count == 0)
        {
            errors.Add($"check '{Name}': at least one port is needed");
        }
        else
        {
            foreach (var port in Ports)
            {
                if (port is < 1 or > 65535)
                {
                    errors.Add($"check '{Name}': port {port} is outside 1..65535");
                }
            }
        }

        return errors;
    }
}
