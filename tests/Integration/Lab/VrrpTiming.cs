namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// The time bounds VRRPv2 sets for the lab's instances (advert_int 1 s; RFC 3768 §6.1, docs/design/vrrp.md §4), and
/// the one scheduling margin the integration tests allow on top of them. Tests bound only these intervals, measured
/// between the daemons' own log lines (<see cref="DaemonLog"/>): how long a daemon takes to handle a signal, or the
/// VIP sampler to notice a change, depends on the machine's load and is printed, not asserted.
/// </summary>
internal static class VrrpTiming
{
    public static readonly TimeSpan AdvertInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What a timer may add to the interval it was armed for on a loaded two-core machine (CPU hogs and parallel
    /// builds beside the lab): dispatch to a thread-pool thread and the wait for a core are tens of milliseconds even
    /// then, so half an advert interval is ample; it stays below one advert interval, so a daemon that waited an
    /// interval too long, or a whole master-down interval instead of the skew time, still fails.
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    /// <summary>How early a timer's expiry may be logged: millisecond timestamps and timer resolution.</summary>
    public static readonly TimeSpan Early = TimeSpan.FromMilliseconds(10);

    /// <summary>Skew_Time = (256 - Priority) / 256 s, whole microseconds as keepalived computes it (613.281 ms at 99).</summary>
    public static TimeSpan Skew(int priority) => TimeSpan.FromTicks((256 - priority) * 1_000_000L / 256 * TimeSpan.TicksPerMicrosecond);

    /// <summary>Master_Down_Interval = 3 x Advertisement_Interval + Skew_Time.</summary>
    public static TimeSpan MasterDown(int priority) => (3 * AdvertInterval) + Skew(priority);

    /// <summary>
    /// Asserts that <paramref name="backup"/> (our daemon at <paramref name="priority"/>) heard a priority-0 release
    /// after <paramref name="after"/> and became master for that reason, its skew time later; returns when it did.
    /// </summary>
    public static DateTime AssertTakeoverAfterRelease(LabProcess backup, int priority, DateTime after, TimeSpan timeout)
    {
        var heard = DaemonLog.WaitFor(backup, "released the router (priority 0)", after, timeout);
        var master = DaemonLog.WaitFor(backup, "Backup -> Master (MasterReleased", after, timeout);
        var waited = master - heard;
        Assert.True(waited >= Skew(priority) - Early && waited <= Skew(priority) + Margin,
            $"{backup.Name} took over {waited.TotalMilliseconds:F0} ms after the priority-0 advert; its skew time is {Skew(priority).TotalMilliseconds:F0} ms:\n{backup.Output}");
        return master;
    }

    /// <summary>
    /// Asserts that <paramref name="backup"/> became master within its master-down interval of <paramref name="silentFrom"/>,
    /// the moment the master stopped advertising (its last advert went out before that); returns when it did.
    /// </summary>
    public static DateTime AssertTakeoverWithinMasterDown(LabProcess backup, int priority, DateTime silentFrom, TimeSpan timeout)
    {
        var master = DaemonLog.WaitFor(backup, "Backup -> Master (", silentFrom, timeout);
        Assert.True(master - silentFrom <= MasterDown(priority) + Margin,
            $"{backup.Name} took over {(master - silentFrom).TotalMilliseconds:F0} ms after the master went silent; the master-down interval is {MasterDown(priority).TotalMilliseconds:F0} ms:\n{backup.Output}");
        return master;
    }
}
