using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>server drain|maint|ready|show BACKEND/SERVER | --host HOST</c>: the operator's server states, as haproxy's
/// <c>set server state</c>; <c>drain --wait</c> then waits until the drained servers' sessions have closed.
/// </summary>
internal static class ServerCommand
{
    /// <summary>Exit code of <c>drain --wait</c> when sessions were still open at the timeout.</summary>
    public const int WaitTimedOut = 2;

    /// <summary>How long <c>drain --wait</c> waits without <c>--timeout</c>.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    public static Command Create()
    {
        var command = new Command("server", "Set or show a server's runtime state: drain (no new sessions, checks go on), maint (no new sessions, no checks), ready; established sessions always stay.");
        command.Subcommands.Add(Operation("drain", "No new sessions to the server; established ones stay and its checks go on. A consistent hash moves only this server's clients.", wait: true));
        command.Subcommands.Add(Operation("maint", "Maintenance: no new sessions and no health checks; established sessions stay (as haproxy's MAINT).", wait: false));
        command.Subcommands.Add(Operation("ready", "Back in service: new sessions again whenever its checks pass (after maint, checked at once).", wait: false));
        command.Subcommands.Add(Operation("show", "Show the state and open sessions of the server(s).", wait: false));
        return command;
    }

    /// <summary>The request line for <paramref name="operation"/> on a target, or null with the reason.</summary>
    internal static string? BuildRequest(string operation, string? target, string? host, out string error)
    {
        error = "";
        if ((target is null) == (host is null))
        {
            error = "give either BACKEND/SERVER or --host HOST";
            return null;
        }

        var line = host is null ? $"server {operation} {target}" : $"server {operation} --host {host}";
        return ControlRequest.TryParse(line, out var request, out error) ? request!.ToString() : null;
    }

    /// <summary>Sum of the <c>sessions=</c> fields of a server answer; null when the answer has none.</summary>
    internal static long? Sessions(string answer)
    {
        long? total = null;
        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = line.LastIndexOf(ControlOperations.SessionsField, StringComparison.Ordinal);
            if (line.StartsWith("ok:", StringComparison.Ordinal) && at >= 0
                && long.TryParse(line.AsSpan(at + ControlOperations.SessionsField.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                total = (total ?? 0) + n;
            }
        }

        return total;
    }

    private static Command Operation(string name, string description, bool wait)
    {
        var target = new Argument<string?>("BACKEND/SERVER") { Description = "The server, as backend/server", Arity = ArgumentArity.ZeroOrOne };
        var host = new Option<string?>("--host") { Description = "Every server of this host in every backend: its address, or a server name used alike in every backend" };
        var waitOption = new Option<bool>("--wait") { Description = $"Wait until the server's sessions reach zero; exit {WaitTimedOut} if some are still open at the timeout" };
        var timeout = new Option<string?>("--timeout") { Description = $"How long --wait waits (default {DurationParser.Format(DefaultWaitTimeout)}), e.g. 90s or 10m" };
        var command = new Command(name, description) { target, host, ControlCommands.SocketOption, ControlCommands.ConfigForSocketOption };
        if (wait)
        {
            command.Options.Add(waitOption);
            command.Options.Add(timeout);
        }

        command.SetAction(p =>
        {
            var request = BuildRequest(name, p.GetValue(target), p.GetValue(host), out var error);
            var limit = DefaultWaitTimeout;
            if (wait && p.GetValue(timeout) is { } text && (!DurationParser.TryParse(text, out limit) || limit <= TimeSpan.Zero))
            {
                error = $"--timeout '{text}' is not a positive duration such as 90s or 10m";
                request = null;
            }

            if (request is null)
            {
                Console.Error.WriteLine($"error: {error}");
                return 1;
            }

            var socket = ControlCommands.SocketOf(p);
            var exit = ControlCommands.Send(socket, request, out _);
            return exit != 0 || !wait || !p.GetValue(waitOption) ? exit : WaitForSessions(socket, BuildRequest("show", p.GetValue(target), p.GetValue(host), out _)!, limit);
        });
        return command;
    }

    private static int WaitForSessions(string socket, string show, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            string answer;
            try
            {
                answer = ControlClient.SendAsync(socket, show, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or OperationCanceledException)
            {
                Console.Error.WriteLine($"error: lost the daemon at {socket} while waiting: {ex.Message}");
                return 1;
            }

            if (ControlCommands.IsError(answer))
            {
                Console.Error.Write(answer);
                return 1;
            }

            var open = Sessions(answer);
            var waited = Stopwatch.GetElapsedTime(started);
            if (open == 0)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drained: no session open after {waited.TotalSeconds:0.0} s"));
                return 0;
            }

            if (waited >= limit)
            {
                Console.Error.WriteLine($"timeout: {open} sessions still open after {DurationParser.Format(limit)}; the server stays drained");
                return WaitTimedOut;
            }

            // Sessions end on the clients' schedule; polling the count costs the daemon one status read.
            Thread.Sleep(waited + s_poll > limit ? limit - waited : s_poll);
        }
    }
}
