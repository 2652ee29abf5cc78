namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>One check's contribution, for status output.</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Weight">The weight this tracker applies.</param>
/// <param name="State">What the check says now.</param>
/// <param name="Contribution">Its part of the delta (0 when it has none).</param>
/// <param name="CausesFault">True when this check alone holds the instance in FAULT.</param>
public readonly record struct TrackedCheckStatus(
    string Name, int Weight, TrackedCheckState State, int Contribution, bool CausesFault);
