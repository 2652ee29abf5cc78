namespace CloudCoreLb.Host.Configuration;

/// <summary>The local control socket used by <c>status</c> and <c>reload</c>.</summary>
internal sealed record ControlOptions
{
    public const string DefaultSocket = "/run/cloudcore-lb/control.sock";

    /// <summary>Unix socket path. <remarks>Defaults to /run/cloudcore-lb/control.sock.</remarks></summary>
    public string Socket { get; init; } = DefaultSocket;
}
