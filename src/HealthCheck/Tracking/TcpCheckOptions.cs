using System.Net;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>A TCP connect check (<see cref="Probes.TcpConnectProbe"/>): passes when the target accepts a connection.</summary>
public sealed record TcpCheckOptions : TrackingOptions
{
    /// <summary>Address and port to connect to.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>How long one connect may take: the timeout if set, else the interval.</summary>
    public TimeSpan ConnectTimeout => Timeout ?? Interval;

    /// <inheritdoc />
    public override IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(base.Validate());
        if (Target is null || Target.Port == 0)
        {
            errors.Add($"check '{Name}': a TCP check needs an address with a port");
        }

        return errors;
    }
}
