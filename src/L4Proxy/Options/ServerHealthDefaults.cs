using CloudCoreLb.HealthCheck;

namespace CloudCoreLb.L4Proxy.Options;

/// <summary>A backend's default check settings (haproxy <c>default-server</c> for checks).</summary>
public sealed class ServerHealthDefaults
{
    /// <summary>Check interval while fully up (haproxy <c>inter</c>). <remarks>Defaults to 2 s.</remarks></summary>
    public TimeSpan Inter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Interval while a transition is pending (haproxy <c>fastinter</c>). <remarks>Defaults to null (= inter).</remarks></summary>
    public TimeSpan? FastInter { get; set; }

    /// <summary>Interval while fully down (haproxy <c>downinter</c>). <remarks>Defaults to null (= inter).</remarks></summary>
    public TimeSpan? DownInter { get; set; }

    /// <summary>Consecutive successes to go up. <remarks>Defaults to 2.</remarks></summary>
    public int Rise { get; set; } = 2;

    /// <summary>Consecutive failures to go down. <remarks>Defaults to 3 (haproxy; the seed uses 5).</remarks></summary>
    public int Fall { get; set; } = 3;

    /// <summary>
    /// State before the first check. <remarks>Defaults to <see cref="HealthInitialState.Down"/>: no traffic until the
    /// first check passes (haproxy starts Up and sends traffic to a dead server until its first check, #51, #3298).</remarks>
    /// </summary>
    public HealthInitialState InitialState { get; set; } = HealthInitialState.Down;

    /// <summary>
    /// Connect timeout of one check. <remarks>Defaults to null: min(backend connect timeout, inter), as haproxy does
    /// with the seed's <c>timeout check</c>.</remarks>
    /// </summary>
    public TimeSpan? Timeout { get; set; }
}
