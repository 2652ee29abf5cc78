using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// One daemon's own wall clock, stepped by the test as <c>date -s</c> would step a node's, without touching the
/// machine's clock (other labs and builds share it): libfaketime (Debian's <c>faketime</c>, scripts/deps.sh) is
/// preloaded into that daemon alone and reads its offset from a file on every call, so a rewrite of the file is a step
/// of CLOCK_REALTIME at once. The monotonic clocks are left alone (FAKETIME_DONT_FAKE_MONOTONIC), as
/// the kernel leaves them alone when the wall clock is set.
/// </summary>
internal sealed class FakedWallClock
{
    public const string Library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private readonly string _file;

    public FakedWallClock(NetnsLab lab, string name)
    {
        if (!File.Exists(Library))
        {
            throw new InvalidOperationException($"{Library} is missing: install Debian's faketime (scripts/deps.sh)");
        }

        _file = Path.Combine(lab.Directory, $"{name}.faketime");
        Step(TimeSpan.Zero);
    }

    /// <summary>How far the faked clock is from the real one now.</summary>
    public TimeSpan Offset { get; private set; }

    /// <summary>The environment that puts a process on this clock.</summary>
    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["LD_PRELOAD"] = Library,
        ["FAKETIME_TIMESTAMP_FILE"] = _file,
        // Read the file on every call: a cached offset would make the step land up to the cache's lifetime late.
        ["FAKETIME_NO_CACHE"] = "1",
        ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
        // The fake clock never reaches the file system's time stamps, so the daemon's config reloads see real ones.
        ["NO_FAKE_STAT"] = "1",
    };

    /// <summary>Sets the clock to <paramref name="offset"/> from the real time (libfaketime's relative "+N"/"-N" seconds).</summary>
    public void Step(TimeSpan offset)
    {
        var seconds = (long)offset.TotalSeconds;
        var temp = _file + ".new";
        // Renamed into place: a reader never sees a half-written offset (an empty file reads as no offset at all).
        File.WriteAllText(temp, (seconds < 0 ? "-" : "+") + Math.Abs(seconds).ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temp, _file, overwrite: true);
        Offset = TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The daemon's own idea of the time: the <c>Date</c> header its metrics endpoint sends (HttpListener takes it from
    /// <see cref="DateTime.UtcNow"/>), minus the real time the answer came in. Whole seconds.
    /// </summary>
    public static TimeSpan DaemonOffset(LabNode node)
    {
        var header = Shell.Run("ip", "netns", "exec", node.Netns, "python3", "-c", DateScript).Trim();
        var served = DateTimeOffset.ParseExact(header, "r", CultureInfo.InvariantCulture);
        return served - DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Waits until the daemon on <paramref name="node"/> tells the time of this clock, so a test knows its step reached
    /// the daemon. Within 30 s: the header has whole seconds and starting the scraper takes a moment on a loaded
    /// machine, and the steps are of an hour.
    /// </summary>
    public TimeSpan WaitUntilDaemonFollows(LabNode node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = DaemonOffset(node);
            if ((seen - Offset).Duration() <= TimeSpan.FromSeconds(30))
            {
                return seen;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{node.Name}'s daemon is {seen.TotalSeconds:F0} s off the real time, expected {Offset.TotalSeconds:F0} s");
            }

            Thread.Sleep(100);
        }
    }

    private const string DateScript =
        "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9842/metrics', timeout=5).headers['Date'])";
}
