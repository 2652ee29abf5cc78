using System.Diagnostics;
using System.Text;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// keepalived (VRRP only, foreground, console log) inside a test namespace, with its own config and pid files in a
/// temporary directory. Dispose sends SIGTERM to the process it started and waits for it.
/// </summary>
internal sealed class KeepalivedProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private KeepalivedProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    public static string? FindBinary() =>
        new[] { "/usr/sbin/keepalived", "/usr/local/sbin/keepalived", "/sbin/keepalived" }.FirstOrDefault(File.Exists);

    public static KeepalivedProcess Start(NetworkNamespace ns, string configuration)
    {
        var directory = Directory.CreateTempSubdirectory("ccltest-keepalived-").FullName;
        var config = Path.Combine(directory, "keepalived.conf");
        File.WriteAllText(config, configuration);
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "netns", "exec", ns.Name, FindBinary()!, "--vrrp", "--dont-fork", "--log-console", "--log-detail",
                     "--no-syslog", "--dont-respawn", "-f", config, "-p", Path.Combine(directory, "keepalived.pid"),
                     "-r", Path.Combine(directory, "vrrp.pid"),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start keepalived.");
        return new KeepalivedProcess(process, directory);
    }

    /// <summary>Waits until the log contains <paramref name="text"/>; false on timeout.</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // `ip netns exec` execs keepalived, so this pid is keepalived's parent; SIGTERM lets it stop its child.
                IpCommand.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
