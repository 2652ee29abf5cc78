using System.Text.RegularExpressions;
using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>One state change a daemon logged (<c>VRRP instance X: Backup -> Master (Reason: detail)</c>).</summary>
internal sealed record VrrpTransition(DateTime At, string From, string To, string Reason)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} {From} -> {To} ({Reason})";
}

/// <summary>Reads every state change from a daemon's log, so a fault test counts transitions instead of sampling state.</summary>
internal static partial class VrrpTransitions
{
    [GeneratedRegex(@"VRRP instance (?<instance>\S+): (?<from>\w+) -> (?<to>\w+) \((?<reason>\w+)")]
    private static partial Regex TransitionLine();

    /// <summary>The changes logged at or after <paramref name="after"/>, oldest first.</summary>
    public static IReadOnlyList<VrrpTransition> Since(LabProcess daemon, DateTime after, string instance = "CloudCore")
    {
        var now = DateTime.Now;
        var list = new List<VrrpTransition>();
        foreach (var line in daemon.Output.Split('\n'))
        {
            var m = TransitionLine().Match(line);
            if (m.Success && m.Groups["instance"].Value == instance && DaemonLog.Stamp(line, now) is { } at && at >= after)
            {
                list.Add(new VrrpTransition(at, m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["reason"].Value));
            }
        }

        return list;
    }

    /// <summary>
    /// The changes logged after the first <paramref name="offset"/> characters of the daemon's output, whatever their
    /// stamps say: those of a daemon whose wall clock was stepped do not compare with the test's clock.
    /// </summary>
    public static IReadOnlyList<string> AfterOffset(LabProcess daemon, int offset, string instance = "CloudCore") =>
        [.. daemon.Output[offset..].Split('\n').Where(l => TransitionLine().Match(l) is { Success: true } m && m.Groups["instance"].Value == instance)];

    /// <summary>The changes, one per line, for failure messages and the test output.</summary>
    public static string Describe(IEnumerable<VrrpTransition> transitions) => string.Join("; ", transitions);
}
