using System.Diagnostics;
using System.Text;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>A long-running process inside a lab namespace (our daemon, keepalived, a server), with its output kept.</summary>
internal sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LabProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Name, whether it still runs (or how it ended: 128 + N for signal N) and the output, for failure messages.</summary>
    public string Describe() => $"--- {Name} ({(HasExited ? $"exited {_process.ExitCode}" : $"running, pid {Pid}")}):\n{Output}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static LabProcess Start(string name, string netns, string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // ip netns exec execs the target, so the pid we hold is the program's own and signals reach it directly.
        foreach (var a in new[] { "netns", "exec", netns, file }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file} in {netns}");
        var lab = new LabProcess(name, process);
        process.OutputDataReceived += (_, e) => lab.Append(e.Data);
        process.ErrorDataReceived += (_, e) => lab.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lab;
    }

    /// <summary>
    /// Sends a signal (9 = SIGKILL, 15 = SIGTERM, 1 = SIGHUP) with kill(2) and returns the local time it was sent. A
    /// direct system call, not a <c>kill</c> process: on a loaded machine starting one takes hundreds of milliseconds,
    /// which a test would otherwise count as the daemon's reaction time.
    /// </summary>
    public DateTime Signal(int signal)
    {
        // Taken before the kill: the process may log its reaction within the same millisecond the kill returns in.
        var sent = DateTime.Now;
        if (!_process.HasExited && Tmds.Linux.LibC.kill(_process.Id, signal) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} ({Name}) failed: errno {Tmds.Linux.LibC.errno}");
        }

        return sent;
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        // The timed overload returns at exit, before the last redirected output lines are delivered; the untimed one
        // waits for them (a client's final summary line was otherwise sometimes missing).
        _process.WaitForExit();
        return true;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal(9);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
