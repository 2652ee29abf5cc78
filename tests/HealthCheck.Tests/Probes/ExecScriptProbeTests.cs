using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.HealthCheck.Tests.TestSupport;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

/// <summary>Runs real scripts; real-time waits stay short (timeouts of about 300 ms).</summary>
public sealed class ExecScriptProbeTests : IDisposable
{
    /// <summary>How long to wait for a process to start or go away: a bound for a hang, not a timing under test.</summary>
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ExitZero_Passes()
    {
        var probe = Probe(_dir.WriteScript("ok.sh", "exit 0"));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.True(result.Success);
        Assert.Equal("EXIT0", result.Status);
        Assert.False(probe.IsRunning);
    }

    [Fact]
    public async Task ExitOne_Fails()
    {
        var result = await Probe(_dir.WriteScript("ko.sh", "exit 1")).ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("EXIT1", result.Status);
    }

    [Fact]
    public async Task DeathBySignal_Fails()
    {
        var result = await Probe(_dir.WriteScript("sig.sh", "kill -9 $$")).ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("SIGNAL", result.Status);
    }

    [Fact]
    public async Task QuotedArguments_ReachTheScriptAsOneWordEach()
    {
        var script = _dir.WriteScript("args.sh", """[ "$#" = 2 ] && [ "$1" = "a b" ] && [ "$2" = "c'd" ]""");

        var result = await Probe($"{script} \"a b\" \"c'd\"").ProbeAsync(CancellationToken.None);

        Assert.True(result.Success, result.Status);
    }

    [Fact]
    public async Task Environment_IsSanitised()
    {
        Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", "/nonexistent-cloudcore-lb-test");
        try
        {
            var script = _dir.WriteScript("env.sh", """[ -z "${LD_LIBRARY_PATH+x}" ] && [ -z "${LD_PRELOAD+x}" ] && [ "$(pwd)" = / ]""");

            var result = await Probe(script).ProbeAsync(CancellationToken.None);

            Assert.True(result.Success, result.Status);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", null);
        }
    }

    [Fact]
    public async Task Timeout_KillsTheWholeProcessGroupIncludingChildren()
    {
        var pidFile = Path.Combine(_dir.Path, "child.pid");
        var script = _dir.WriteScript("slow.sh", $"sleep 30 &\necho $! > {pidFile}\nsleep 30");
        var probe = Probe(script);
        using var timeout = new CancellationTokenSource();

        // The run times out once the child is running: a shell start on a loaded machine can outlast any fixed timeout.
        var run = probe.ProbeAsync(timeout.Token).AsTask();
        var childPid = await ReadPidAsync(pidFile);
        timeout.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        await WaitUntilAsync(() => !probe.IsRunning, s_limit);
        await WaitUntilAsync(() => !IsAlive(childPid), s_limit);
        Assert.False(IsAlive(childPid), $"the background sleep {childPid} survived");
    }

    [Fact]
    public async Task ScriptIgnoringSigterm_IsKilledAfterTheGrace()
    {
        var pidFile = Path.Combine(_dir.Path, "stubborn.pid");
        var script = _dir.WriteScript("stubborn.sh", $"trap '' TERM\nsleep 30 &\necho $! > {pidFile}\nwait");
        // The grace is long enough that the test surely looks before SIGKILL, however late it is scheduled.
        var probe = Probe(script, killGrace: TimeSpan.FromSeconds(3));
        using var timeout = new CancellationTokenSource();

        // Cancelled once the trap is set (the pid file is written after it), so SIGTERM really is ignored.
        var run = probe.ProbeAsync(timeout.Token).AsTask();
        var childPid = await ReadPidAsync(pidFile);
        timeout.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(probe.IsRunning, "SIGTERM is ignored, so the run is still going until SIGKILL");

        await WaitUntilAsync(() => !probe.IsRunning, s_limit);
        await WaitUntilAsync(() => !IsAlive(childPid), s_limit);
        Assert.False(IsAlive(childPid));
    }

    [Fact]
    public async Task RunStillGoing_NextRunIsSkippedAndRecordsNothing()
    {
        var probe = Probe(_dir.WriteScript("long.sh", "sleep 30"));
        using var cancel = new CancellationTokenSource();
        var first = probe.ProbeAsync(cancel.Token).AsTask();

        var second = await probe.ProbeAsync(CancellationToken.None);

        Assert.True(second.IsSkipped);
        Assert.False(first.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await WaitUntilAsync(() => !probe.IsRunning, TimeSpan.FromSeconds(5));
        var third = await Probe(_dir.WriteScript("quick.sh", "exit 0")).ProbeAsync(CancellationToken.None);
        Assert.False(third.IsSkipped);
    }

    [RootFact]
    public async Task RunAsNobody_RunsWithThatUidGidAndNoSupplementaryGroups()
    {
        var script = _dir.WriteScript("who.sh", """[ "$(id -u)" = 65534 ] && [ "$(id -g)" = 65534 ] && [ "$(id -G)" = 65534 ]""");
        var probe = new ExecScriptProbe(new ExecScriptProbeOptions { Command = script, User = "nobody" }, TimeProvider.System);

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(65534u, probe.RunAs!.Uid);
        Assert.True(result.Success, result.Status);
    }

    [Fact]
    public void UnknownUser_IsRejectedAtConstruction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ExecScriptProbe(
            new ExecScriptProbeOptions { Command = "/bin/true", User = "no-such-user-cclb" }, TimeProvider.System));
        Assert.Contains("unknown user 'no-such-user-cclb'", ex.Message);
    }

    [Fact]
    public async Task MissingExecutable_FailsWithoutThrowing()
    {
        var result = await Probe(Path.Combine(_dir.Path, "absent.sh")).ProbeAsync(CancellationToken.None);

        Assert.False(result.Success);
    }

    [Fact]
    public async Task InALoop_TicksWhileATimedOutRunIsStillBeingKilledAreSkipped()
    {
        // Ticks every 200 ms; a run times out after 1 s, time enough for the shell to set its trap even on a loaded
        // machine (a shell killed by SIGTERM before that would leave nothing to skip for), then has 1 s of grace.
        var probe = Probe(_dir.WriteScript("deaf.sh", "trap '' TERM\nsleep 30"), killGrace: TimeSpan.FromSeconds(1));
        var loop = new HealthCheckLoop(probe, new RiseFallTracker(1, 1, HealthInitialState.Down), new HealthCheckTiming
        {
            Interval = TimeSpan.FromMilliseconds(200),
            Timeout = TimeSpan.FromSeconds(1),
            Schedule = HealthCheckSchedule.FixedRate,
        }, TimeProvider.System);
        try
        {
            loop.Start();
            await WaitUntilAsync(() => loop.Counters.Skipped >= 2, s_limit);
        }
        finally
        {
            await loop.DisposeAsync();
            await probe.DisposeAsync();
        }

        Assert.True(loop.Counters.Skipped >= 2, $"skipped {loop.Counters.Skipped}");
        Assert.Equal(loop.Counters.Runs, loop.Counters.FailuresByStatus()["TIMEOUT"]); // skips recorded nothing
    }

    private static ExecScriptProbe Probe(string command, TimeSpan? killGrace = null) =>
        new(new ExecScriptProbeOptions { Command = command, KillGrace = killGrace ?? TimeSpan.FromSeconds(2) }, TimeProvider.System);

    /// <summary>Alive = has a /proc entry that is not a zombie (a container's PID 1 may never reap it).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>The pid a script wrote to <paramref name="pidFile"/>, once it has written it whole.</summary>
    private static async Task<int> ReadPidAsync(string pidFile)
    {
        var pid = 0;
        await WaitUntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n') && int.TryParse(File.ReadAllText(pidFile).Trim(), out pid), s_limit);
        Assert.True(pid > 0, $"the script wrote no pid to {pidFile} within {s_limit.TotalSeconds} s");
        return pid;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
