namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>
/// How a check tracked for VRRP priority is scheduled and counted, with keepalived <c>vrrp_script</c> semantics and
/// defaults (docs/design/vrrp.md §8). Derived records say what is checked.
/// </summary>
public abstract record TrackingOptions
{
    /// <summary>Largest |weight| keepalived accepts (±254 is coerced to ±253 there; here it is an error).</summary>
    public const int MaxWeight = 253;

    /// <summary>Name used in logs, status and <c>track_script</c> references.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Time between run starts (fixed rate; a tick that falls while a run is going is skipped). Sub-second values
    /// are fine for native checks. <remarks>Defaults to 1 s (keepalived <c>interval</c>).</remarks>
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time allowed per run. <remarks>Defaults to <see cref="Interval"/> (keepalived <c>timeout</c>).</remarks></summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Priority effect, -253..253: 0 = failing puts the instance in FAULT; &gt; 0 adds the weight while passing;
    /// &lt; 0 subtracts |weight| while failing. <remarks>Defaults to 0.</remarks>
    /// </summary>
    public int Weight { get; init; }

    /// <summary>Consecutive successes to go from failed to OK. <remarks>Defaults to 1.</remarks></summary>
    public int Rise { get; init; } = 1;

    /// <summary>Consecutive failures to go from OK to failed. <remarks>Defaults to 1.</remarks></summary>
    public int Fall { get; init; } = 1;

    /// <summary>
    /// Start failed (keepalived <c>init_fail</c>): <see cref="Rise"/> successes are needed before the check counts as
    /// OK. Otherwise the check starts undecided and its first result decides at once (counter at rise - 1).
    /// <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool InitFail { get; init; }

    /// <summary>Checks the values; returns the problems found, each naming the check, empty when valid.</summary>
    public virtual IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var name = string.IsNullOrWhiteSpace(Name) ? "(unnamed)" : Name;
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("a tracked check needs a name");
        }

        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"check '{name}': interval must be positive (got {Interval.TotalMilliseconds} ms)");
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"check '{name}': timeout must be positive (got {timeout.TotalMilliseconds} ms)");
        }

        if (Weight is < -MaxWeight or > MaxWeight)
        {
            errors.Add($"check '{name}': weight {Weight} is outside -{MaxWeight}..{MaxWeight}");
        }

        if (Rise < 1)
        {
            errors.Add($"check '{name}': rise must be at least 1 (got {Rise})");
        }

        if (Fall < 1)
        {
            errors.Add($"check '{name}': fall must be at least 1 (got {Fall})");
        }

        return errors;
    }

    /// <summary>The loop timing: fixed rate, as keepalived schedules scripts.</summary>
    public HealthCheckTiming ToTiming() => new()
    {
        Interval = Interval,
        Timeout = Timeout,
        Schedule = HealthCheckSchedule.FixedRate,
    };

    /// <summary>
    /// A fresh counter: keepalived starts a script at rise - 1 (<see cref="HealthInitialState.Down"/>, undecided) or
    /// at 0 with <c>init_fail</c> (<see cref="HealthInitialState.FullyDown"/>).
    /// </summary>
    public RiseFallTracker CreateTracker() =>
        new(Rise, Fall, InitFail ? HealthInitialState.FullyDown : HealthInitialState.Down);
}
