using System.CommandLine;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>vrrp handover|hold|release [INSTANCE]</c>: move the VIP off this node for maintenance without a moment
/// unserved, and keep it off until released.
/// </summary>
internal static class VrrpCommand
{
    public static Command Create()
    {
        var command = new Command("vrrp", "Planned VIP moves: hand over to a backup, hold this node at priority 1, release it.");
        command.Subcommands.Add(Operation(
            "handover",
            "On the master: advertise priority 0 while keeping the VIP, so the best backup takes over in its skew time; remove the VIP once its advert arrives, then stay held. Exit 1 if nobody took over within the timeout (this node stays master). A backup instance is only held.",
            handover: true));
        command.Subcommands.Add(Operation("hold", "Keep this node from taking the VIP while another router advertises: priority 1 until 'vrrp release' (kept across reloads and upgrades).", handover: false));
        command.Subcommands.Add(Operation("release", "Restore the configured priority after 'hold' or 'handover'.", handover: false));
        return command;
    }

    /// <summary>The request line, or null with the reason.</summary>
    internal static string? BuildRequest(string operation, string? instance, string? timeout, out string error)
    {
        var line = string.Join(' ', new[] { "vrrp", operation, instance, timeout is null ? null : $"--timeout {timeout}" }.Where(w => w is not null));
        return ControlRequest.TryParse(line, out var request, out error) ? request!.ToString() : null;
    }

    private static Command Operation(string name, string description, bool handover)
    {
        var instance = new Argument<string?>("INSTANCE") { Description = "The VRRP instance (default: every instance)", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<string?>("--timeout")
        {
            Description = $"How long to wait for the new master's advert (default: 3 advert intervals + 1 s; at most {DurationParser.Format(ControlRequest.MaxTimeout)})",
        };
        var command = new Command(name, description) { instance, ControlCommands.SocketOption, ControlCommands.ConfigForSocketOption };
        if (handover)
        {
            command.Options.Add(timeout);
        }

        command.SetAction(p =>
        {
            var request = BuildRequest(name, p.GetValue(instance), handover ? p.GetValue(timeout) : null, out var error);
            if (request is null)
            {
                Console.Error.WriteLine($"error: {error}");
                return 1;
            }

            return ControlCommands.Send(ControlCommands.SocketOf(p), request, out _);
        });
        return command;
    }
}
