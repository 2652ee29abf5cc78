using CloudCoreLb.Vrrp;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A configured VRRP instance: the protocol options plus what the host wires around it.</summary>
internal sealed class VrrpInstanceConfig
{
    public required VrrpInstanceOptions Options { get; init; }

    /// <summary>Checks whose results move this instance's priority (keepalived <c>track_script</c>).</summary>
    public IReadOnlyList<TrackReference> Tracks { get; init; } = [];

    /// <summary>Commands run on state changes.</summary>
    public NotifyCommands Notify { get; init; } = NotifyCommands.None;

    /// <summary>Where the instance sits in the config file, for messages that point back at it.</summary>
    public required YamlNode Node { get; init; }
}
