using System.Globalization;
using CloudCoreLb.L4Proxy.Handover;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The descriptors systemd passes a restarted service from its store (sd_listen_fds(3)): numbered from 3,
/// <c>LISTEN_FDS</c> of them, named by <c>LISTEN_FDNAMES</c> (colon-separated), meant for <c>LISTEN_PID</c> only.
/// The variables are removed once read, so no child process believes they are its own.
/// </summary>
internal static class StoredDescriptors
{
    private const int First = 3;

    public static IReadOnlyList<StoredDescriptor> TakeFromEnvironment()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        var names = Environment.GetEnvironmentVariable("LISTEN_FDNAMES");
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        return Parse(pid, count, names, Environment.ProcessId);
    }

    /// <summary>The descriptors the variables describe; none when they are meant for another process or malformed.</summary>
    internal static IReadOnlyList<StoredDescriptor> Parse(string? pid, string? count, string? names, int ownPid)
    {
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target != ownPid
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is <= 0 or > 1 << 22)
        {
            return [];
        }

        var split = (names ?? "").Split(':');
        var result = new StoredDescriptor[n];
        for (var i = 0; i < n; i++)
        {
            var fd = First + i;
            // Ours from here on: never leaked into a script or successor we start.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC);
            result[i] = new StoredDescriptor(i < split.Length && split[i].Length > 0 ? split[i] : "unknown", fd);
        }

        return result;
    }
}
