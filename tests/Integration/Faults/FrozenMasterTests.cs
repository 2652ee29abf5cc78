using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// The master frozen by SIGSTOP for 5 s, then SIGCONT (issue 15: a daemon stalled by the kernel, a debugger or a VM
/// pause). A frozen master sends nothing, so the next node takes over after its master-down interval; the frozen one
/// still has the VIP configured (the kernel keeps it) and still believes it is master. VRRP defines the wake: the
/// woken master's next advert carries priority 100, the new master (99) steps down on it (RFC 3768 §6.4.3), and the
/// woken one discards the lower-priority adverts it finds queued. So the VIP moves back exactly once, the woken node
/// makes no transition at all, and the two hold it together for at most one advert interval after the wake.
/// </summary>
public sealed class FrozenMasterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = VrrpFaultLab.Timeout;
    private static readonly TimeSpan Frozen = TimeSpan.FromSeconds(5);

    /// <summary>After the wake the woken master's next advert is at most one interval away; the margin is scheduling.</summary>
    private static readonly TimeSpan WakeBound = VrrpTiming.AdvertInterval + VrrpTiming.Margin;

    [RootFact]
    public void AMasterFrozenForFiveSecondsTakesTheVipBackOnceOnWakeAndTheOtherNodeYieldsAtOnce()
    {
        using var f = VrrpFaultLab.Start();
        f.Settle();
        var settled = DateTime.Now;

        var stoppedAt = f.Daemons[0].Signal(19);
        var takeover = VrrpTiming.AssertTakeoverWithinMasterDown(f.Daemons[1], 99, stoppedAt, Timeout);
        // The fault's own length, not a wait for an event.
        var left = stoppedAt + Frozen - DateTime.Now;
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left);
        }

        var wokeAt = f.Daemons[0].Signal(18);
        var wake = f.Sampler.FromLocal(wokeAt);
        var yielded = DaemonLog.WaitFor(f.Daemons[1], "Master -> Backup (HigherPriorityAdvert", wokeAt, Timeout);
        f.Sampler.RequireSoleHolder(1, wake, Timeout, f.Daemons);
        // A settled end: both backups follow node1 again, three more adverts (longer than any skew or burst).
        f.WaitForFollowers(f.Nodes[0], 3);

        var node1 = VrrpTransitions.Since(f.Daemons[0], settled);
        var node2 = VrrpTransitions.Since(f.Daemons[1], settled);
        var node3 = VrrpTransitions.Since(f.Daemons[2], wokeAt);
        var overlap = f.Sampler.LongestMultipleHolders(wake);
        var released = f.Sampler.FirstSampleWithout(2, wake);
        var burst = f.Capture.AdvertsSent(1, wokeAt).Where(a => a.At < wokeAt + VrrpTiming.AdvertInterval).ToArray();
        var queued = f.Capture.AdvertsDelivered(1, stoppedAt).Count(a => a.At < wokeAt && a.Priority < 100);
        output.WriteLine($"SIGSTOP 5 s: node2 master {(takeover - stoppedAt).TotalMilliseconds:F0} ms after the stop; after SIGCONT node2 stepped down in {(yielded - wokeAt).TotalMilliseconds:F0} ms, two holders for {overlap.TotalMilliseconds:F0} ms; node1 sent {burst.Length} adverts in the first second awake, {queued} lower-priority adverts were queued for it");
        output.WriteLine($"transitions node1 [{VrrpTransitions.Describe(node1)}] node2 [{VrrpTransitions.Describe(node2)}] node3 after wake [{VrrpTransitions.Describe(node3)}]");
        output.WriteLine(f.Sampler.Describe());

        // The woken master never left Master; the interim master went up once and down once, on node1's advert.
        Assert.True(node1.Count == 0, $"node1 changed state: {VrrpTransitions.Describe(node1)}\n{f.Describe()}");
        Assert.Equal([("Backup", "Master"), ("Master", "Backup")], node2.Select(t => (t.From, t.To)));
        Assert.Equal("HigherPriorityAdvert", node2[1].Reason);
        Assert.True(node3.Count == 0, $"node3 changed state after the wake: {VrrpTransitions.Describe(node3)}");
        Assert.True(yielded - wokeAt <= WakeBound, $"node2 stepped down {(yielded - wokeAt).TotalMilliseconds:F0} ms after the wake\n{f.Describe()}");
        Assert.True(overlap <= WakeBound, $"two holders for {overlap.TotalMilliseconds:F0} ms after the wake\n{f.Describe()}");
        // One move back: once node2 let the VIP go it never had it again.
        Assert.NotNull(released);
        Assert.Null(f.Sampler.WaitForHolder(2, released.Value, TimeSpan.Zero));
        Assert.Equal([1], f.Sampler.Current);
        // The stalled advert timer sends one advert on wake, not one for every interval it slept through; each
        // lower-priority advert queued during the freeze gets one re-assertion (the forced election), and so does the
        // one node2 sends as it steps down (higher_priority_send_advert), no more.
        Assert.True(burst.Length <= 2 + queued, $"node1 sent {burst.Length} adverts in the first second after the wake ({queued} queued for it): {string.Join(", ", burst.Select(b => b.At.ToString("HH:mm:ss.fff")))}");
    }

    [RootFact]
    public void KeepalivedUnderTheSameFreezeEndsWithOneHolder()
    {
        using var f = VrrpFaultLab.StartKeepalived();
        var stoppedAt = f.Lab.KillAll(f.Nodes[0], 19);
        var took = f.Sampler.WaitForHolder(2, f.Sampler.FromLocal(stoppedAt), Timeout)
            ?? throw new Xunit.Sdk.XunitException($"keepalived on node2 never took over\n{f.Describe()}");
        var left = stoppedAt + Frozen - DateTime.Now;
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left);
        }

        var wokeAt = f.Lab.KillAll(f.Nodes[0], 18);
        var wake = f.Sampler.FromLocal(wokeAt);
        var sole = f.Sampler.RequireSoleHolder(1, wake, Timeout, f.Daemons);
        // Observe for the three adverts the cloudcore-lb test waits for.
        var deadline = DateTime.UtcNow + Timeout;
        while (f.Capture.AdvertsSent(1, wokeAt).Count < 4 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        var burst = f.Capture.AdvertsSent(1, wokeAt).Count(a => a.At < wokeAt + VrrpTiming.AdvertInterval);
        output.WriteLine($"keepalived SIGSTOP 5 s: node2 took the VIP {(took - f.Sampler.FromLocal(stoppedAt)).TotalMilliseconds:F0} ms after the stop; after SIGCONT node1 sole holder in {(sole - wake).TotalMilliseconds:F0} ms, two holders for {f.Sampler.LongestMultipleHolders(wake).TotalMilliseconds:F0} ms, {f.Sampler.Moves(wake)} moves, {burst} adverts from node1 in the first second");
        output.WriteLine(f.Sampler.Describe());
        Assert.Equal([1], f.Sampler.Current);
    }
}
