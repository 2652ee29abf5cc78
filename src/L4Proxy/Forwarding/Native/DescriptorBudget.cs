using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding.Native;

/// <summary>
/// How close the process is to its descriptor limit (RLIMIT_NOFILE, systemd's <c>LimitNOFILE</c>). The proxy stops
/// accepting <see cref="Reserve"/> descriptors below the limit, as haproxy sizes maxconn from <c>ulimit -n</c>: the
/// .NET runtime opens files when it loads code lazily, and one that finds no descriptor aborts the process ("Out of
/// memory."), so the daemon's own shortage must never reach the limit itself. The check is cheap because the kernel
/// always hands out the lowest free descriptor: a new descriptor at or above the ceiling means every one below is taken.
/// </summary>
internal static partial class DescriptorBudget
{
    /// <summary>Descriptors kept for the runtime, checks, the control socket and metrics scrapes.</summary>
    public const int Reserve = 64;

    private const int RlimitNofile = 7;

    /// <summary>The lowest descriptor number the proxy may not take; read anew on each call (the limit can change at run time).</summary>
    public static int Ceiling()
    {
        if (getrlimit(RlimitNofile, out var limit) != 0 || limit.Current >= int.MaxValue)
        {
            return int.MaxValue;
        }

        return Math.Max(0, (int)limit.Current - Reserve);
    }

    /// <summary>Whether the lowest free descriptor is below <paramref name="ceiling"/> (probed with one dup of <paramref name="anyFd"/>).</summary>
    public static bool HasRoom(int anyFd, int ceiling)
    {
        var probe = fcntl(anyFd, F_DUPFD_CLOEXEC, 0);
        if (probe < 0)
        {
            return false;
        }

        close(probe);
        return probe < ceiling;
    }

    /// <summary>
    /// The soft and hard descriptor limits; both <see cref="ulong.MaxValue"/> when they cannot be read. The .NET runtime
    /// raises the soft limit to the hard one as it starts (as haproxy sizes <c>ulimit-n</c> from maxconn), so the
    /// hard limit is what the daemon has.
    /// </summary>
    public static (ulong Soft, ulong Hard) Limits() =>
        getrlimit(RlimitNofile, out var limit) == 0 ? (limit.Current, limit.Maximum) : (ulong.MaxValue, ulong.MaxValue);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
