using CloudCoreLb.HealthCheck.Tracking;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// A check that moves an instance's priority (keepalived <c>track_script { name weight W }</c>): weight 0 means FAULT
/// while it fails; otherwise the weight is added while it passes (positive) or subtracted while it fails (negative).
/// </summary>
/// <param name="Check">The running check; the instance that receives it owns and disposes it.</param>
/// <param name="Weight">Overrides the check's own weight when set.</param>
public readonly record struct VrrpTrack(TrackedCheck Check, int? Weight = null)
{
    /// <summary>The weight in effect.</summary>
    public int EffectiveWeight => Weight ?? Check.Weight;
}
