namespace CloudCoreLb.Vrrp.Router;

/// <summary>One state transition of a VRRP instance, as raised by <see cref="VrrpRouter.StateChanged"/>.</summary>
/// <param name="From">State before.</param>
/// <param name="To">State after.</param>
/// <param name="Reason">Why, as a stable enum.</param>
/// <param name="Detail">Human-readable detail (peer address and priority, interface, ...).</param>
public readonly record struct VrrpStateChange(VrrpState From, VrrpState To, VrrpTransitionReason Reason, string Detail);
