using System.Globalization;
using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// Flaps a node's <c>eth0</c> (the veth to the switch) from a shell loop inside its namespace: down, 100 ms, up,
/// 100 ms, one flap every 200 ms until the period is over, ending up. The loop runs beside the daemon, so the test
/// measures the daemon's reaction to the kernel's link events, not to a test thread's scheduling of each command.
/// </summary>
internal static class LinkFlapper
{
    /// <summary>Flaps <paramref name="node"/>'s link for <paramref name="period"/> and returns how many flaps it made; the link is up again on return.</summary>
    public static int Flap(NetnsLab lab, LabNode node, TimeSpan period)
    {
        var script = lab.WriteFile($"flap-{node.Name}.sh", $$"""
            end=$(( $(date +%s%N) + {{(long)period.TotalMilliseconds}}000000 ))
            n=0
            while [ "$(date +%s%N)" -lt "$end" ]; do
              ip link set eth0 down
              sleep 0.1
              ip link set eth0 up
              sleep 0.1
              n=$((n + 1))
            done
            ip link set eth0 up
            echo "flaps $n"
            """);
        var flapper = lab.Start(node, $"flap@{node.Name}", "sh", script);
        // The period plus a generous allowance for a loaded machine's process starts; the loop itself ends on time.
        if (!flapper.WaitForExit(period + VrrpFaultLab.Timeout) || flapper.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"the link flapper did not finish cleanly:\n{flapper.Describe()}");
        }

        var line = flapper.Output.Split('\n').Single(l => l.StartsWith("flaps ", StringComparison.Ordinal));
        return int.Parse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
