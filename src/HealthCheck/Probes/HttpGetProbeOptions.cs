namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>What an <see cref="HttpGetProbe"/> asks and accepts.</summary>
public sealed record HttpGetProbeOptions
{
    /// <summary>
    /// Absolute http or https URI, e.g. <c>https://127.0.0.1:10002/ca.crt</c>. CloudCore has no <c>/readyz</c>
    /// (KubeEdge #3059: the upstream check always got 404); <c>/ca.crt</c> on 10002 is a path that exists.
    /// </summary>
    public required Uri Uri { get; init; }

    /// <summary>Lowest status accepted. <remarks>Defaults to 200.</remarks></summary>
    public int ExpectedStatusMin { get; init; } = 200;

    /// <summary>Highest status accepted. <remarks>Defaults to 399.</remarks></summary>
    public int ExpectedStatusMax { get; init; } = 399;

    /// <summary>
    /// Skip TLS certificate validation. CloudCore's 10002 presents a certificate signed by its own CA, which this
    /// host does not trust; the check is about liveness, not identity. <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool Insecure { get; init; }

    /// <summary>Checks the values; returns the problems found, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.IsAbsoluteUri || (Uri.Scheme != Uri.UriSchemeHttp && Uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"'{Uri}' is not an absolute http or https URI");
        }

        if (ExpectedStatusMin is < 100 or > 599 || ExpectedStatusMax is < 100 or > 599 || ExpectedStatusMin > ExpectedStatusMax)
        {
            errors.Add($"expected status range {ExpectedStatusMin}-{ExpectedStatusMax} is not within 100-599 in order");
        }

        return errors;
    }
}
