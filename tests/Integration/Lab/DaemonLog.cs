using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// When something happened, read from our daemon's own log lines (<c>HH:mm:ss.fff level: category[id] message</c>,
/// local time). The console logger takes the timestamp as the event is logged, so the interval between two logged
/// events is the daemon's own, free of the delay before the test reads the line and of the VIP sampler's period:
/// on a loaded machine either can add hundreds of milliseconds. Every lab namespace shares the host's clock, so
/// lines of different daemons and <see cref="DateTime.Now"/> in the test compare directly.
/// </summary>
internal static class DaemonLog
{
    private const int StampLength = 12; // HH:mm:ss.fff

    /// <summary>The time of the first line containing <paramref name="text"/> logged at or after <paramref name="after"/>.</summary>
    public static DateTime? Find(LabProcess daemon, string text, DateTime after)
    {
        var now = DateTime.Now;
        // The stamps have whole milliseconds: an event in the same millisecond as after is stamped before it.
        after = after.AddTicks(-(after.Ticks % TimeSpan.TicksPerMillisecond));
        foreach (var line in daemon.Output.Split('\n'))
        {
            if (line.Contains(text, StringComparison.Ordinal) && Stamp(line, now) is { } at && at >= after)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>
    /// The stopped daemon's log shows no dropped datagram: it logs every kind of drop and prints its drop counters
    /// when it stops. Adverts heard between its own priority-0 advert and the close of its socket (its successor's,
    /// once a slow shutdown outlasts the successor's skew time) are counted as <c>NotListening</c>, which is no fault.
    /// </summary>
    public static void AssertNoDrops(string log)
    {
        Assert.DoesNotContain("dropped datagram", log, StringComparison.Ordinal);
        var stops = log.Split('\n').Where(l => l.Contains("stopped; adverts sent", StringComparison.Ordinal)).ToArray();
        Assert.True(stops.Length > 0, $"no 'stopped' line with the drop counters:\n{log}");
        foreach (var stop in stops)
        {
            var drops = stop[(stop.LastIndexOf("drops: ", StringComparison.Ordinal) + "drops: ".Length)..].Trim();
            Assert.True(drops == "none" || drops.Split(", ").All(d => d.StartsWith("NotListening=", StringComparison.Ordinal)), stop);
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/> logged at or after <paramref name="after"/> and returns its time.</summary>
    public static DateTime WaitFor(LabProcess daemon, string text, DateTime after, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Find(daemon, text, after) is { } at)
            {
                return at;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{daemon.Name} logged no '{text}' within {timeout.TotalSeconds} s:\n{daemon.Output}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// The line's timestamp as a local time today (yesterday when that would lie in the future: a run across midnight),
    /// or null for lines without one (the guardian's and release-vips' plain output).
    /// </summary>
    internal static DateTime? Stamp(string line, DateTime now)
    {
        if (line.Length <= StampLength
            || !TimeSpan.TryParseExact(line.AsSpan(0, StampLength), @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var timeOfDay))
        {
            return null;
        }

        var at = now.Date + timeOfDay;
        return at > now + TimeSpan.FromMinutes(1) ? at.AddDays(-1) : at;
    }
}
