using System.Diagnostics;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>Runs short commands (ip, tshark) and returns their output; a failure throws with stderr.</summary>
internal static class Shell
{
    public static string Run(string file, params string[] args) => RunChecked(file, args, check: true).Output;

    public static (int ExitCode, string Output, string Error) RunChecked(string file, IEnumerable<string> args, bool check)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        var result = (p.ExitCode, stdout.Result, stderr.Result);
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {result.Item3.Trim()}");
        }

        return result;
    }

    /// <summary>Runs a command without throwing; for best-effort clean-up.</summary>
    public static void TryRun(string file, params string[] args)
    {
        try
        {
            RunChecked(file, args, check: false);
        }
        catch (Exception)
        {
            // Clean-up must go on whatever one step did.
        }
    }
}
