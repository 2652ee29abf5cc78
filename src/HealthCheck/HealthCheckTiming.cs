namespace CloudCoreLb.HealthCheck;

/// <summary>
/// When a check runs, with haproxy's semantics: the next run starts <see cref="Interval"/> after the previous one
/// ended; <see cref="DownInterval"/> applies while fully down and <see cref="FastInterval"/> while a transition is
/// pending (each falls back to <see cref="Interval"/>).
/// </summary>
public sealed record HealthCheckTiming
{
    /// <summary>Interval while fully up. <remarks>Defaults to 2 s (haproxy <c>inter</c>).</remarks></summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Interval while a transition is pending. <remarks>Defaults to <see cref="Interval"/>.</remarks></summary>
    public TimeSpan? FastInterval { get; init; }

    /// <summary>Interval while fully down. <remarks>Defaults to <see cref="Interval"/>.</remarks></summary>
    public TimeSpan? DownInterval { get; init; }

    /// <summary>Time allowed per run; the probe is cancelled after it. <remarks>Defaults to <see cref="Interval"/>.</remarks></summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Delay before the first run, used to spread checks. <remarks>Defaults to 0.</remarks></summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How runs are placed in time. <remarks>Defaults to <see cref="HealthCheckSchedule.AfterCompletion"/> (haproxy).</remarks></summary>
    public HealthCheckSchedule Schedule { get; init; } = HealthCheckSchedule.AfterCompletion;

    /// <summary>The effective timeout.</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? Interval;

    /// <summary>Checks the values; returns the problems found, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"interval must be positive (got {Interval.TotalMilliseconds} ms)");
        }

        if (FastInterval is { } fast && fast <= TimeSpan.Zero)
        {
            errors.Add($"fast interval must be positive (got {fast.TotalMilliseconds} ms)");
        }

        if (DownInterval is { } down && down <= TimeSpan.Zero)
        {
            errors.Add($"down interval must be positive (got {down.TotalMilliseconds} ms)");
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"timeout must be positive (got {timeout.TotalMilliseconds} ms)");
        }

        if (InitialDelay < TimeSpan.Zero)
        {
            errors.Add("initial delay must not be negative");
        }

        return errors;
    }

    /// <summary>Picks the interval for the tracker's current position.</summary>
    public TimeSpan NextInterval(RiseFallTracker tracker)
    {
        if (tracker.IsFullyDown && tracker.HasResult)
        {
            return DownInterval ?? Interval;
        }

        if (!tracker.IsFullyUp)
        {
            return FastInterval ?? Interval;
        }

        return Interval;
    }
}
