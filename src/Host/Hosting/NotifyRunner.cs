using System.Diagnostics;
using System.Threading.Channels;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// Runs an instance's notify commands one at a time, in transition order. keepalived fires them and forgets, so a
/// slow notify_backup can finish after the notify_master that followed it (keepalived #1884); here a queue
/// guarantees the order, and a command that hangs is killed after <see cref="Timeout"/> so it cannot block the rest.
/// </summary>
internal sealed class NotifyRunner : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _instance;
    private readonly NotifyCommands _commands;
    private readonly ILogger _logger;
    private readonly Channel<(VrrpState State, int Priority)> _queue = Channel.CreateUnbounded<(VrrpState, int)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _worker;

    private readonly string _kind;

    /// <param name="instance">Instance (or sync group) name.</param>
    /// <param name="commands">The hooks.</param>
    /// <param name="logger">Logging.</param>
    /// <param name="kind">keepalived's first generic-notify argument: INSTANCE, or GROUP for a sync group (whose
    /// generic notify gets no priority).</param>
    public NotifyRunner(string instance, NotifyCommands commands, ILogger logger, string kind = "INSTANCE")
    {
        _instance = instance;
        _kind = kind;
        _commands = commands;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Queues the hooks for entering <paramref name="state"/>; <see cref="VrrpState.Initialize"/> means stopped.</summary>
    public void Enqueue(VrrpState state, int priority) => _queue.Writer.TryWrite((state, priority));

    private async Task RunAsync()
    {
        await foreach (var (state, priority) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var (specific, name) = state switch
            {
                VrrpState.Master => (_commands.Master, "MASTER"),
                VrrpState.Backup => (_commands.Backup, "BACKUP"),
                VrrpState.Fault => (_commands.Fault, "FAULT"),
                _ => (_commands.Stop, "STOP"),
            };
            if (specific is not null)
            {
                await RunOneAsync(specific).ConfigureAwait(false);
            }

            if (_commands.Any is not null)
            {
                // keepalived's generic notify: "<cmd> INSTANCE <name> <state> <priority>", "<cmd> GROUP <name> <state>".
                var tail = _kind == "INSTANCE" ? $" {priority}" : "";
                await RunOneAsync($"{_commands.Any} {_kind} {Quote(_instance)} {name}{tail}").ConfigureAwait(false);
            }
        }
    }

    private async Task RunOneAsync(string command)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        try
        {
            using var process = Process.Start(psi)!;
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    HostLog.NotifyFailed(_logger, _instance, command, process.ExitCode);
                }
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                HostLog.NotifyTimedOut(_logger, _instance, command);
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            HostLog.NotifyStartFailed(_logger, _instance, command, ex);
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Lets queued hooks (notify_stop last) finish, for at most the timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.WaitAsync(Timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
