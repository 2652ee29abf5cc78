using CloudCoreLb.HealthCheck.Collections;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// A configured VRRP instance: the protocol options plus what the host wires around it. Equal to another exactly when
/// the instance would run the same (options, tracked checks with their definitions, notify hooks): a reload keeps an
/// instance whose configuration is equal, so it sees no VRRP transition.
/// </summary>
internal sealed record VrrpInstanceConfig
{
    public required VrrpInstanceOptions Options { get; init; }

    /// <summary>Checks whose results move this instance's priority (keepalived <c>track_script</c>).</summary>
    public ValueList<TrackReference> Tracks { get; init; } = [];

    /// <summary>Commands run on state changes.</summary>
    public NotifyCommands Notify { get; init; } = NotifyCommands.None;
}
