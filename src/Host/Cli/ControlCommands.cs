using System.CommandLine;
using System.Net.Sockets;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Host.Cli;

/// <summary><c>status</c>, <c>reload</c> and <c>upgrade</c>: talk to the running daemon over its control socket.</summary>
internal static class ControlCommands
{
    private static readonly Option<string?> SocketOption = new("--socket")
    {
        Description = $"Control socket of the daemon (default: control.socket from --config, else {ControlOptions.DefaultSocket})",
    };

    private static readonly Option<string?> ConfigForSocketOption = new("--config", "-c")
    {
        Description = "Configuration file to read control.socket from",
    };

    public static Command Status()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("status", "Show each VRRP instance's state and priorities, tracked checks, frontends and server health of the running daemon.")
        {
            SocketOption, ConfigForSocketOption, json,
        };
        command.SetAction(p => Send(p, p.GetValue(json) ? "status-json" : "status"));
        return command;
    }

    public static Command Reload()
    {
        var command = new Command("reload", "Ask the running daemon to reload its configuration (same as SIGHUP); exit 1 if the new file is rejected.")
        {
            SocketOption, ConfigForSocketOption,
        };
        command.SetAction(p => Send(p, "reload"));
        return command;
    }

    public static Command Upgrade()
    {
        var command = new Command(
            "upgrade",
            "Replace the running daemon by the binary now on disk without dropping a session or moving the VIP (same as SIGUSR2); exit 1, with the reason, if the new process refuses (the old one goes on).")
        {
            SocketOption, ConfigForSocketOption,
        };
        command.SetAction(p => Send(p, "upgrade"));
        return command;
    }

    private static int Send(ParseResult p, string request)
    {
        var socket = p.GetValue(SocketOption) ?? SocketFromConfig(p.GetValue(ConfigForSocketOption));
        try
        {
            var answer = ControlClient.SendAsync(socket, request, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            Console.Out.Write(answer);
            return answer.StartsWith("error:", StringComparison.Ordinal) ? 1 : 0;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            Console.Error.WriteLine($"cannot reach the daemon at {socket}: {ex.Message} (is cloudcore-lb running?)");
            return 1;
        }
    }

    private static string SocketFromConfig(string? path)
    {
        try
        {
            return ConfigLoader.Load(path ?? CloudCoreLbConfig.DefaultPath).Control.Socket;
        }
        catch (ConfigException) when (path is null)
        {
            return ControlOptions.DefaultSocket;
        }
    }
}
