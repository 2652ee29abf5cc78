using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.Linux;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Runs a script with keepalived <c>vrrp_script</c> semantics (docs/design/vrrp.md §8): exit 0 passes; a non-zero exit, a signal
/// or a timeout fails. The script leads its own process group (<c>setsid</c>), so a timeout (the loop cancelling
/// <see cref="ProbeAsync"/>) sends SIGTERM to the whole group, then SIGKILL <see cref="ExecScriptProbeOptions.KillGrace"/>
/// later if anything in it is still alive: children such as a stray <c>sleep</c> die with the script.
/// </summary>
/// <remarks>
/// One run at a time: while a run (including a timed-out one still being killed) is going, further calls return
/// <see cref="ProbeResult.Skip"/>, which records nothing (keepalived #946). The child gets cwd <c>/</c>, no
/// <c>LD_PRELOAD</c>, <c>LD_LIBRARY_PATH</c> or <c>IFS</c>, the daemon's stdio, and with a run-as user
/// <c>setpriv --reuid --regid --clear-groups</c>. .NET opens every descriptor close-on-exec, so none leak.
/// </remarks>
public sealed class ExecScriptProbe : IHealthProbe, IAsyncDisposable
{
    private static readonly string[] SanitizedVariables = ["LD_PRELOAD", "LD_LIBRARY_PATH", "IFS"];

    private readonly ExecScriptProbeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string[] _argv;
    private readonly string _launcher;
    private readonly string[] _launcherArguments;
    private int _running;
    private Process? _process;

    /// <summary>Creates a probe; throws <see cref="ArgumentException"/> for a bad command line or unknown user.</summary>
    public ExecScriptProbe(ExecScriptProbeOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        try
        {
            _argv = ScriptCommandLine.Split(options.Command);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException(ex.Message, nameof(options), ex);
        }

        var account = options.User is null ? null : UnixAccount.Resolve(options.User, options.Group);
        RunAs = account;
        _launcher = FindTool("setsid");

        // setsid does not fork (so its pid becomes the script's pid and the group id) unless it already leads a
        // group, which a child of this process never does; -w keeps the exit status right even if it had to.
        var args = new List<string> { "--wait", "--" };
        if (account is not null)
        {
            args.AddRange([FindTool("setpriv"), $"--reuid={account.Uid}", $"--regid={account.Gid}", "--clear-groups", "--"]);
        }

        args.AddRange(_argv);
        _launcherArguments = [.. args];
        Description = $"script {options.Command}";
    }

    /// <summary>The account the script runs as; null = the daemon's own.</summary>
    public UnixAccount? RunAs { get; }

    /// <summary>The parsed argv of the script.</summary>
    public IReadOnlyList<string> Arguments => _argv;

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>True while a run (or the kill of a timed-out run) is going.</summary>
    public bool IsRunning => Volatile.Read(ref _running) != 0;

    /// <inheritdoc />
    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return ProbeResult.Skip($"the previous run of {_argv[0]} is still going");
        }

        Process process;
        try
        {
            process = Process.Start(CreateStartInfo()) ?? throw new InvalidOperationException("no process started");
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _running, 0);
            HealthCheckLog.ScriptStartFailed(_logger, _argv[0], ex);
            return ProbeResult.Fail("EXEC", ex.Message);
        }

        _process = process;
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Timeout or shutdown: the group goes down in the background; runs are skipped until it is gone.
            HealthCheckLog.ScriptTimedOut(_logger, _argv[0], process.Id);
            Signal(process.Id, LibC.SIGTERM);
            _ = KillGroupAsync(process);
            throw;
        }

        var code = process.ExitCode;
        Release(process);
        if (code == 0)
        {
            return ProbeResult.Ok("EXIT0");
        }

        // .NET reports death by signal N as 128 + N, like the shell.
        return code > 128 && code < 128 + 65
            ? ProbeResult.Fail("SIGNAL", $"killed by signal {code - 128}")
            : ProbeResult.Fail($"EXIT{code}", $"exit status {code}");
    }

    private async Task KillGroupAsync(Process process)
    {
        var pgid = process.Id;
        try
        {
            var grace = _options.KillGrace;
            var started = _time.GetTimestamp();
            try
            {
                await process.WaitForExitAsync().WaitAsync(grace, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            // The leader may be gone while children it forked live on in the group.
            if (GroupAlive(pgid))
            {
                var left = grace - _time.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, _time).ConfigureAwait(false);
                }

                if (GroupAlive(pgid))
                {
                    HealthCheckLog.ScriptKilled(_logger, _argv[0], pgid, grace);
                    Signal(pgid, LibC.SIGKILL);
                }
            }

            await process.WaitForExitAsync().ConfigureAwait(false); // SIGKILL cannot be ignored
        }
        finally
        {
            Release(process);
        }
    }

    private void Release(Process process)
    {
        _process = null;
        process.Dispose();
        Volatile.Write(ref _running, 0);
    }

    private static bool GroupAlive(int pgid) => LibC.kill(-pgid, 0) == 0;

    private static void Signal(int pgid, int signal) => _ = LibC.kill(-pgid, signal);

    private ProcessStartInfo CreateStartInfo()
    {
        var info = new ProcessStartInfo(_launcher)
        {
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in _launcherArguments)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in SanitizedVariables)
        {
            info.Environment.Remove(name);
        }

        return info;
    }

    private static string FindTool(string name)
    {
        foreach (var dir in (string[])["/usr/bin", "/bin", "/usr/sbin", "/sbin"])
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"'{name}' (util-linux) is required to run scripts and was not found");
    }

    /// <summary>Kills a run still going (daemon shutdown) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            Signal(process.Id, LibC.SIGKILL);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The run finished and released the process meanwhile.
        }
    }
}
