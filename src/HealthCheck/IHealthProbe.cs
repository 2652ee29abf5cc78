namespace CloudCoreLb.HealthCheck;

/// <summary>
/// One kind of check (TCP connect, local listener, HTTP GET, exec script). A probe runs once per call; scheduling,
/// timeouts and rise/fall live in <see cref="HealthCheckLoop"/>.
/// </summary>
public interface IHealthProbe
{
    /// <summary>Short description for logs and status, e.g. <c>tcp 10.0.0.1:10000</c>.</summary>
    string Description { get; }

    /// <summary>Runs the probe once. Cancellation means the loop's timeout fired; the probe must stop promptly.</summary>
    ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}
