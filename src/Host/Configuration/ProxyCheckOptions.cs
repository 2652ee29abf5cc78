using CloudCoreLb.HealthCheck.Tracking;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// A check of this daemon's own proxy (<c>type: proxy</c>, <see cref="Hosting.ProxyServingProbe"/>): passes while
/// every frontend is listening and every frontend's backend has a usable server. Tracked by a VRRP instance it moves
/// the VIP only when this node cannot serve, not when the local CloudCore dies (redispatch sends those edges to the
/// other masters' CloudCores).
/// </summary>
internal sealed record ProxyCheckOptions : TrackingOptions;
