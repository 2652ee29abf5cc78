namespace CloudCoreLb.Vrrp.Router;

/// <summary>A state change with the wall-clock time the router made it (status: "last transition").</summary>
/// <param name="Change">The transition.</param>
/// <param name="At">When it happened, from the router's <see cref="TimeProvider"/>.</param>
public sealed record VrrpStampedStateChange(VrrpStateChange Change, DateTimeOffset At);
