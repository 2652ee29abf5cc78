using System.Diagnostics;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>Runs tshark on a capture file and returns the requested fields, one line per packet.</summary>
internal static class Tshark
{
    public static string? FindBinary() => new[] { "/usr/bin/tshark", "/usr/local/bin/tshark" }.FirstOrDefault(File.Exists);

    /// <summary>`tshark -r FILE -T fields -E separator=, -e FIELD...`: one comma-separated line per packet.</summary>
    public static string[] ReadFields(string captureFile, params string[] fields)
    {
        var start = new ProcessStartInfo(FindBinary()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-n", "-r", captureFile, "-T", "fields", "-E", "separator=," })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var field in fields)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(field);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start tshark.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark exited with {process.ExitCode}: {errors.Result}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
