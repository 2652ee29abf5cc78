using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// nftables rules in the lab switch's bridge forward hook (<c>table bridge fault</c>): they drop frames between
/// switch ports, as a broken or misconfigured switch would, without touching any node's own namespace. Ports are
/// <c>v1</c>, <c>v2</c>, ... for node1, node2, ...; <c>iifname</c> is what a node sends, <c>oifname</c> what it receives.
/// </summary>
internal static class SegmentFilter
{
    private const string Table = "fault";

    /// <summary>Replaces the lab's fault rules with <paramref name="rules"/> (one nft rule per entry); returns when they are in place.</summary>
    public static DateTime Apply(NetnsLab lab, params string[] rules)
    {
        Clear(lab);
        var script = $"table bridge {Table} {{\n  chain forward {{\n    type filter hook forward priority 0; policy accept;\n"
            + string.Concat(rules.Select(r => $"    {r}\n")) + "  }\n}\n";
        var path = lab.WriteFile("fault.nft", script);
        Shell.Run("ip", "netns", "exec", lab.SwitchNetns, "nft", "-f", path);
        return DateTime.Now;
    }

    /// <summary>
    /// Removes every fault rule (heals the segment) and returns when the removal began: a frame seen before then met
    /// the fault, and one seen while the command ran may already have passed (on a loaded machine that is tens of ms).
    /// </summary>
    public static DateTime Clear(NetnsLab lab)
    {
        var started = DateTime.Now;
        Shell.RunChecked("ip", ["netns", "exec", lab.SwitchNetns, "nft", "delete", "table", "bridge", Table], check: false);
        return started;
    }

    /// <summary>Frames the fault rules with a <c>counter</c> have dropped so far.</summary>
    public static long Dropped(NetnsLab lab)
    {
        var listing = Shell.RunChecked("ip", ["netns", "exec", lab.SwitchNetns, "nft", "list", "table", "bridge", Table], check: false).Output;
        var words = listing.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return words.Select((w, i) => w == "packets" && i + 1 < words.Length && long.TryParse(words[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).Sum();
    }

    /// <summary>Every frame from and to a node's port: the node is cut off from the segment.</summary>
    public static string[] Isolate(int node) => [$"iifname \"v{node}\" drop", $"oifname \"v{node}\" drop"];
}
