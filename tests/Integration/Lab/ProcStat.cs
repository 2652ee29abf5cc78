using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>What /proc says about a lab process: CPU time, resident memory, descriptors and their limit.</summary>
internal static class ProcStat
{
    /// <summary>User plus system CPU time of the process (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s).</summary>
    public static double CpuSeconds(LabProcess process)
    {
        Assert.False(process.HasExited, process.Describe());
        var stat = File.ReadAllText($"/proc/{process.Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Open descriptors of the process.</summary>
    public static int OpenDescriptors(LabProcess process) => Directory.GetFiles($"/proc/{process.Pid}/fd").Length;

    /// <summary>Resident set size in bytes (VmRSS of /proc/PID/status).</summary>
    public static long ResidentBytes(LabProcess process) => StatusKilobytes(process, "VmRSS:") * 1024;

    /// <summary>The soft RLIMIT_NOFILE of the process ("Max open files" of /proc/PID/limits).</summary>
    public static long OpenFilesLimit(LabProcess process) => DescriptorLimits(process).Soft;

    /// <summary>The soft and hard RLIMIT_NOFILE of the process ("Max open files" of /proc/PID/limits).</summary>
    public static (long Soft, long Hard) DescriptorLimits(LabProcess process)
    {
        var line = File.ReadAllLines($"/proc/{process.Pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    private static long StatusKilobytes(LabProcess process, string field)
    {
        var line = File.ReadAllLines($"/proc/{process.Pid}/status").Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
