namespace CloudCoreLb.HealthCheck;

/// <summary>Outcome of one probe run.</summary>
/// <param name="Success">Whether the check passed.</param>
/// <param name="Status">Short status code in haproxy's spirit (L4OK, L4CON, L4TOUT, EXIT1, ...).</param>
/// <param name="Detail">Optional human-readable detail.</param>
public readonly record struct ProbeResult(bool Success, string Status, string? Detail = null)
{
    /// <summary>A passing result.</summary>
    public static ProbeResult Ok(string status = "OK") => new(true, status);

    /// <summary>A failing result.</summary>
    public static ProbeResult Fail(string status, string? detail = null) => new(false, status, detail);
}
