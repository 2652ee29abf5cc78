using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Vrrp;

/// <summary>Drives one failover in a lab and measures it with a <see cref="VipSampler"/>.</summary>
internal static class FailoverTimeline
{
    /// <summary>
    /// Stops <paramref name="victim"/> with <paramref name="stop"/> and returns how long it took until
    /// <paramref name="successor"/> held the VIP, plus the longest time two nodes held it at once afterwards
    /// (measured over <paramref name="settle"/> after the move).
    /// </summary>
    public static (TimeSpan Failover, TimeSpan Overlap) Measure(VipSampler sampler, int successor, Action stop, TimeSpan timeout, TimeSpan settle)
    {
        var t0 = sampler.Now;
        stop();
        var moved = sampler.WaitForHolder(successor, t0, timeout)
            ?? throw new Xunit.Sdk.XunitException($"node{successor} never took the VIP within {timeout.TotalSeconds}s after the stop:\n{sampler.Describe()}");
        Thread.Sleep(settle);
        return (moved - t0, sampler.LongestMultipleHolders(t0));
    }
}
