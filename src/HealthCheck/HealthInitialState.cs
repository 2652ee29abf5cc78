namespace CloudCoreLb.HealthCheck;

/// <summary>
/// Where a <see cref="RiseFallTracker"/> starts. Names follow haproxy's <c>init-state</c> (3.1+).
/// </summary>
public enum HealthInitialState
{
    /// <summary>Health = rise + fall - 1: up, and only <c>fall</c> failures take it down.</summary>
    FullyUp,

    /// <summary>Health = rise: up, but down at the first failure (haproxy's historical default).</summary>
    Up,

    /// <summary>Health = rise - 1: down, but up at the first success (keepalived's <c>vrrp_script</c> start).</summary>
    Down,

    /// <summary>Health = 0: down, and only <c>rise</c> successes bring it up (keepalived <c>init_fail</c>).</summary>
    FullyDown,
}
