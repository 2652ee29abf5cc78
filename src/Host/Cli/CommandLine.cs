using System.CommandLine;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Cli;

/// <summary>The <c>cloudcore-lb</c> command tree. Every command has <c>--help</c>.</summary>
internal static class CommandLine
{
    public static readonly Option<string> ConfigOption = new("--config", "-c")
    {
        Description = $"Configuration file (default {CloudCoreLbConfig.DefaultPath})",
        DefaultValueFactory = _ => CloudCoreLbConfig.DefaultPath,
    };

    public static readonly Option<string?> NodeOption = new("--node")
    {
        Description = "Node name used to pick per-node values from the config's 'nodes:' maps (default: the host name)",
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("cloudcore-lb: VRRP virtual IP and L4 load balancer for KubeEdge CloudCore, replacing keepalived + haproxy.");

        var socket = new Option<string?>("--socket") { Description = "Control socket path, overriding control.socket from the config" };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Log format on standard output: text (one line per event, the default; journald-style under systemd) or json (one JSON object per event, with event id and every field)",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var takeover = new Option<string?>("--takeover")
        {
            Description = "Internal: take over listeners, sessions and VIPs from the running daemon through this channel (started by 'upgrade')",
            Hidden = true,
        };
        var run = new Command("run", "Run the daemon in the foreground (systemd Type=notify aware).") { ConfigOption, NodeOption, socket, logFormat, takeover };
        run.SetAction(p => RunCommand.Execute(new RunArguments(p.GetValue(ConfigOption)!, p.GetValue(NodeOption), p.GetValue(socket), p.GetValue(logFormat) == "json", p.GetValue(takeover))));
        root.Subcommands.Add(run);

        var check = new Command("check", "Validate a configuration file and exit 0 if it is valid, 1 if not (like haproxy -c / keepalived -t).") { ConfigOption, NodeOption };
        check.SetAction(p => CheckCommand.Execute(p.GetValue(ConfigOption)!, p.GetValue(NodeOption), Console.Out, Console.Error));
        root.Subcommands.Add(check);

        var waitStdin = new Option<bool>("--wait-stdin")
        {
            Description = "Wait until standard input closes (the daemon died) before releasing; a line 'exit' means a clean stop and releases nothing",
        };
        var releaseConfig = new Option<string?>("--config", "-c")
        {
            Description = "Configuration file: instances whose VIPs are released also get a priority-0 advert, so a backup takes over in 0.6 s",
        };
        var alreadyReleased = new Option<string[]>("--already-released")
        {
            Description = "ADDRESS/PREFIX@INTERFACE the crashed daemon held and its guardian already deleted; their instances still get the priority-0 advert",
            AllowMultipleArgumentsPerToken = false,
        };
        var release = new Command("release-vips", "Remove every virtual address this daemon added (they carry its netlink mark); for ExecStopPost after a crash.")
        {
            waitStdin, releaseConfig, NodeOption, alreadyReleased,
        };
        release.SetAction(p => ReleaseVipsCommand.Execute(p.GetValue(waitStdin), p.GetValue(releaseConfig), p.GetValue(NodeOption), p.GetValue(alreadyReleased) ?? [], Console.Out, Console.Error));
        root.Subcommands.Add(release);
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(InitCommand.Create());

        root.Subcommands.Add(ControlCommands.Status());
        root.Subcommands.Add(ControlCommands.Reload());
        root.Subcommands.Add(ControlCommands.Upgrade());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(VrrpCommand.Create());

        var version = new Command("version", "Print the version.");
        version.SetAction(_ =>
        {
            Console.WriteLine($"cloudcore-lb {BuildInfo.Version}");
            return 0;
        });
        root.Subcommands.Add(version);
        return root;
    }
}
