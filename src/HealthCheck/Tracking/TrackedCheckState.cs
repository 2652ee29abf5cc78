namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>What a tracked check currently says, as keepalived sees a script.</summary>
public enum TrackedCheckState
{
    /// <summary>No result yet (keepalived's INIT): no weight effect, but a weight-0 check holds the instance in FAULT.</summary>
    Unknown,

    /// <summary>OK.</summary>
    Up,

    /// <summary>Failed (KO).</summary>
    Down,
}
