using System.CommandLine;
using System.Net.Sockets;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Host.Cli;

/// <summary><c>status</c>, <c>reload</c>, <c>upgrade</c>, <c>server</c> and <c>vrrp</c>: talk to the running daemon over
/// its control socket (<see cref="ControlRequest"/> is the protocol).</summary>
internal static class ControlCommands
{
    internal static readonly Option<string?> SocketOption = new("--socket")
    {
        Description = $"Control socket of the daemon (default: control.socket from --config, else {ControlOptions.DefaultSocket})",
    };

    internal static readonly Option<string?> ConfigForSocketOption = new("--config", "-c")
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

    private static int Send(ParseResult p, string request) => Send(SocketOf(p), request, out _);

    internal static string SocketOf(ParseResult p) => p.GetValue(SocketOption) ?? SocketFromConfig(p.GetValue(ConfigForSocketOption));

    /// <summary>Sends, prints the answer and returns the exit code: 1 when any answer line is an error.</summary>
    internal static int Send(string socket, string request, out string answer)
    {
        try
        {
            answer = ControlClient.SendAsync(socket, request, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            Console.Out.Write(answer);
            return IsError(answer) ? 1 : 0;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            answer = "";
            Console.Error.WriteLine($"cannot reach the daemon at {socket}: {ex.Message} (is cloudcore-lb running?)");
            return 1;
        }
    }

    /// <summary>Answers are one line per item; any <c>error:</c> line fails the command.</summary>
    internal static bool IsError(string answer) =>
        answer.StartsWith("error:", StringComparison.Ordinal) || answer.Contains("\nerror:", StringComparison.Ordinal);

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
