using CloudCoreLb.Vrrp.Router;

namespace CloudCoreLb.Host.Hosting;

/// <summary>A VRRP state change with the time the host saw it (status: "last transition").</summary>
internal sealed record StampedStateChange(VrrpStateChange Change, DateTimeOffset At);
