using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Drives one failover in a lab and measures it with a <see cref="VipSampler"/>.</summary>
internal static class FailoverTimeline
{
    /// <summary>
    /// Stops the victim with <paramref name="stop"/> (which returns the local time the stop took effect, e.g.
    /// <see cref="LabProcess.Signal"/>'s) and returns how long after that <paramref name="successor"/> held the VIP, the
    /// longest time two nodes held it at once afterwards (watched for <paramref name="settle"/> after the move), and the
    /// stop time itself, for bounds measured between daemon log lines.
    /// </summary>
    public static (TimeSpan Failover, TimeSpan Overlap, DateTime StoppedAt) Measure(VipSampler sampler, int successor, Func<DateTime> stop, TimeSpan timeout, TimeSpan settle)
    {
        var stoppedAt = stop();
        var t0 = sampler.FromLocal(stoppedAt);
        var moved = sampler.WaitForHolder(successor, t0, timeout)
            ?? throw new Xunit.Sdk.XunitException($"node{successor} never took the VIP within {timeout.TotalSeconds}s after the stop:\n{sampler.Describe()}");
        // An observation window, not a wait for an event: a second holder appearing in it fails the overlap bounds.
        Thread.Sleep(settle);
        return (moved - t0, sampler.LongestMultipleHolders(t0), stoppedAt);
    }
}
