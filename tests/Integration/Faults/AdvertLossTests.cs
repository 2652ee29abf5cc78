using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// Random loss of VRRP adverts on the segment: the switch drops each advert it forwards to a port with probability
/// N % (nftables <c>numgen random</c>, drawn per frame and per output port, so each backup loses its own adverts). A
/// backup takes over only when it hears no higher priority for its master-down interval (3 x 1 s + skew), that is
/// when three consecutive adverts of the master are lost to it: 0.05³ = 0.0125 % at 5 %, 0.3³ = 2.7 % at 30 %, per
/// window. It takes over at most once per such silence, since the advert that ends it makes it step down again.
/// <para>
/// The bounds asserted: the daemon's count (log and metrics agree) equals the masterships the capture shows, lies
/// between the silences that certainly exceed the master-down interval and those that might (the scheduling margin
/// either side), and is below a bound on the number of runs of three or more losses among the master's adverts whose
/// probability of being exceeded is below 10⁻⁴ for a correct daemon (computed exactly by dynamic programming over the
/// run length: for <see cref="Adverts"/> = 30 at 5 % P(2 or more runs) = 4.2·10⁻⁶, at 30 % P(5 or more runs) = 1.2·10⁻⁵).
/// At 5 % that means no transition at all unless the capture shows three adverts in a row lost to a backup, which
/// happens in 0.7 % of runs (P(1 or more runs) = 0.33 % per backup): then that one takeover is the correct behaviour.
/// </para>
/// </summary>
public sealed class AdvertLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = VrrpFaultLab.Timeout;

    /// <summary>Adverts the master sends under loss: the fault's length.</summary>
    private const int Adverts = 30;

    [RootFact]
    public void AtFivePercentLossNoBackupTakesOverUnlessThreeAdvertsInARowAreLostToIt() => AssertBoundedFlapping(5, maxTakeoversPerBackup: 1);

    [RootFact]
    public void AtThirtyPercentLossTakeoversAreBoundedByTheRunsOfThreeLostAdvertsAndEndWithOneHolder() => AssertBoundedFlapping(30, maxTakeoversPerBackup: 4);

    [RootFact]
    public void KeepalivedUnderFivePercentLoss() => KeepalivedUnderLoss(5);

    [RootFact]
    public void KeepalivedUnderThirtyPercentLoss() => KeepalivedUnderLoss(30);

    private void AssertBoundedFlapping(int percent, int maxTakeoversPerBackup)
    {
        using var f = VrrpFaultLab.Start();
        f.Settle();
        var counted = new[] { 2, 3 }.Select(n => Takeovers(f.Nodes[n - 1])).ToArray();

        var lossAt = SegmentFilter.Apply(f.Lab, Loss(percent));
        WaitForAdverts(f, lossAt);
        var clearAt = SegmentFilter.Clear(f.Lab);
        // A backup that lost three adverts in a row just before the clear may still take over once, up to its
        // master-down interval later, and yields at node1's next advert: settled only after that.
        var settled = f.Sampler.FromLocal(clearAt) + VrrpTiming.MasterDown(VrrpFaultLab.Priorities["node3"]) + VrrpTiming.AdvertInterval + VrrpTiming.Margin;
        while (f.Sampler.Now < settled)
        {
            Thread.Sleep(50);
        }

        var sole = f.Sampler.RequireSoleHolder(1, settled, Timeout, f.Daemons);
        f.WaitForFollowers(f.Nodes[0], 3);
        var end = DateTime.Now;

        var node1 = VrrpTransitions.Since(f.Daemons[0], lossAt);
        output.WriteLine($"{percent} % advert loss, {Adverts} adverts: {Describe(f, lossAt, clearAt)}");
        foreach (var (node, i) in new[] { 2, 3 }.Select((n, i) => (n, i)))
        {
            var priority = VrrpFaultLab.Priorities[$"node{node}"];
            var log = VrrpTransitions.Since(f.Daemons[node - 1], lossAt);
            var takeovers = log.Count(t => t.To == "Master");
            var metrics = Takeovers(f.Nodes[node - 1]) - counted[i];
            var masterships = AdvertTimeline.Masterships(f.Capture, node, lossAt).Count;
            var mayTakeOver = AdvertTimeline.Silences(f.Capture, node, priority, lossAt, end, VrrpTiming.MasterDown(priority) - VrrpTiming.Margin);
            var mustTakeOver = AdvertTimeline.Silences(f.Capture, node, priority, lossAt, end, VrrpTiming.MasterDown(priority) + VrrpTiming.Margin);
            output.WriteLine($"node{node}: {takeovers} takeovers (metrics {metrics}, capture {masterships} masterships), {log.Count} transitions; silences over the master-down interval {mustTakeOver.Count} certain, {mayTakeOver.Count} possible [{string.Join(", ", mayTakeOver.Select(s => $"{s.From:HH:mm:ss.fff}+{(s.To - s.From).TotalSeconds:F2}s"))}]; [{VrrpTransitions.Describe(log)}]");

            Assert.Equal((double)takeovers, metrics);
            Assert.True(takeovers == masterships, $"node{node}: the log shows {takeovers} takeovers, the capture {masterships} masterships\n{f.Capture.Lines("VRRP")}");
            Assert.True(takeovers >= mustTakeOver.Count && takeovers <= mayTakeOver.Count,
                $"node{node}: {takeovers} takeovers for {mustTakeOver.Count} certain and {mayTakeOver.Count} possible master-down silences\n{f.Describe()}");
            Assert.True(takeovers <= maxTakeoversPerBackup, $"node{node} took over {takeovers} times at {percent} % loss");
            // Each takeover ended when the master's advert got through again: up, then down on a higher priority.
            Assert.All(log.Where(t => t.From == "Master"), t => Assert.Equal("HigherPriorityAdvert", t.Reason));
        }

        output.WriteLine(f.Sampler.Describe());
        Assert.True(node1.Count == 0, $"node1 changed state: {VrrpTransitions.Describe(node1)}");
        Assert.True(f.Sampler.LongestMultipleHolders(sole) == TimeSpan.Zero, f.Sampler.Describe());
        Assert.Equal([1], f.Sampler.Current);
    }

    private void KeepalivedUnderLoss(int percent)
    {
        using var f = VrrpFaultLab.StartKeepalived();
        var lossAt = SegmentFilter.Apply(f.Lab, Loss(percent));
        WaitForAdverts(f, lossAt);
        var clearAt = SegmentFilter.Clear(f.Lab);
        var sole = f.Sampler.RequireSoleHolder(1, f.Sampler.FromLocal(clearAt), Timeout, f.Daemons);
        var end = DateTime.Now;
        var counts = new[] { 2, 3 }.Select(n =>
        {
            var priority = 100 - n + 1;
            var masterships = AdvertTimeline.Masterships(f.Capture, n, lossAt).Count;
            var may = AdvertTimeline.Silences(f.Capture, n, priority, lossAt, end, VrrpTiming.MasterDown(priority) - VrrpTiming.Margin).Count;
            return $"node{n}: {masterships} masterships in the capture, {may} possible master-down silences";
        });
        output.WriteLine($"keepalived {percent} % advert loss, {Adverts} adverts: {Describe(f, lossAt, clearAt)}; {string.Join("; ", counts)}; node1 sole holder {(sole - f.Sampler.FromLocal(clearAt)).TotalMilliseconds:F0} ms after the loss ended");
        output.WriteLine(f.Sampler.Describe());
        Assert.Equal([1], f.Sampler.Current);
    }

    /// <summary>Each VRRP frame the switch forwards to a port is dropped with probability <paramref name="percent"/> %.</summary>
    private static string[] Loss(int percent) => [$"ip protocol vrrp numgen random mod 100 < {percent} drop"];

    /// <summary>Waits until node1 has sent <see cref="Adverts"/> adverts under the loss (the fault's length).</summary>
    private static void WaitForAdverts(VrrpFaultLab f, DateTime after)
    {
        var deadline = DateTime.UtcNow + (Adverts * VrrpTiming.AdvertInterval) + Timeout;
        while (f.Capture.AdvertsSent(1, after).Count(a => a.Priority == 100) < Adverts)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"node1 did not send {Adverts} adverts\n{f.Describe()}");
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>How much of node1's advertising reached each backup under the loss, and how the VIP moved.</summary>
    private static string Describe(VrrpFaultLab f, DateTime lossAt, DateTime clearAt)
    {
        var sent = f.Capture.AdvertsSent(1, lossAt).Count(a => a.At < clearAt);
        var delivered = new[] { 2, 3 }.Select(n => f.Capture.AdvertsDelivered(n, lossAt).Count(a => a.Priority == 100 && a.At < clearAt));
        var from = f.Sampler.FromLocal(lossAt);
        return $"node1 sent {sent}, node2/node3 got {string.Join('/', delivered)}; {f.Sampler.Moves(from)} VIP moves, two holders at most {f.Sampler.LongestMultipleHolders(from).TotalMilliseconds:F0} ms";
    }

    /// <summary>Backup to Master transitions the daemon's metrics counted.</summary>
    private static double Takeovers(LabNode node) =>
        LabMetrics.Sum(node, "cloudcore_lb_vrrp_transitions_total{instance=\"CloudCore\",from=\"backup\",to=\"master\"}");
}
