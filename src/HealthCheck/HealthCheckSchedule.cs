namespace CloudCoreLb.HealthCheck;

/// <summary>How a <see cref="HealthCheckLoop"/> places runs in time.</summary>
public enum HealthCheckSchedule
{
    /// <summary>
    /// haproxy: the next run starts one interval after the previous run ended, so the period is interval + run time
    /// (<c>src/check.c</c>, docs/design/l4proxy.md §2).
    /// </summary>
    AfterCompletion,

    /// <summary>
    /// keepalived <c>vrrp_script</c>: runs start every interval measured from the previous start; ticks that fall
    /// while a run is still going are skipped and record nothing (keepalived #946, docs/design/vrrp.md §8).
    /// </summary>
    FixedRate,
}
