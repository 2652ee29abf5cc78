namespace CloudCoreLb.HealthCheck;

/// <summary>Outcome of one probe run.</summary>
/// <param name="Success">Whether the check passed.</param>
/// <param name="Status">Short status code in haproxy's spirit (L4OK, L4CON, L4TOUT, EXIT1, ...).</param>
/// <param name="Detail">Optional human-readable detail.</param>
public readonly record struct ProbeResult(bool Success, string Status, string? Detail = null)
{
    /// <summary>Status of a run that did not happen because the previous one is still going.</summary>
    public const string SkippedStatus = "SKIPPED";

    /// <summary>
    /// True when the probe did not run because its previous run is still going. A skipped run records nothing: it
    /// neither passes nor fails (keepalived "expect idle - skipping run", keepalived #946).
    /// </summary>
    public bool IsSkipped { get; init; }

    /// <summary>A passing result.</summary>
    public static ProbeResult Ok(string status = "OK") => new(true, status);

    /// <summary>A failing result.</summary>
    public static ProbeResult Fail(string status, string? detail = null) => new(false, status, detail);

    /// <summary>A run that did not happen; see <see cref="IsSkipped"/>.</summary>
    public static ProbeResult Skip(string? detail = null) => new(false, SkippedStatus, detail) { IsSkipped = true };
}
