namespace CloudCoreLb.Host.Cli;

/// <summary>
/// The arguments <c>run</c> was started with: an upgrade starts the binary now on disk with the same ones, plus
/// <c>--takeover</c>.
/// </summary>
/// <param name="ConfigPath">The configuration file.</param>
/// <param name="Node">The node name given, or null for the host name.</param>
/// <param name="ControlSocket">The control socket given on the command line, or null.</param>
/// <param name="JsonLogs">Whether logs are JSON.</param>
/// <param name="Takeover">The abstract socket name of the process to take over from, or null.</param>
internal sealed record RunArguments(string ConfigPath, string? Node, string? ControlSocket, bool JsonLogs, string? Takeover)
{
    /// <summary>The command line of a successor that takes over from this process through <paramref name="channel"/>.</summary>
    public IReadOnlyList<string> ForSuccessor(string channel)
    {
        var args = new List<string> { "run", "--config", ConfigPath };
        if (Node is not null)
        {
            args.AddRange(["--node", Node]);
        }

        if (ControlSocket is not null)
        {
            args.AddRange(["--socket", ControlSocket]);
        }

        if (JsonLogs)
        {
            args.AddRange(["--log-format", "json"]);
        }

        args.AddRange(["--takeover", channel]);
        return args;
    }
}
