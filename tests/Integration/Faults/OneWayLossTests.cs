using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// Loss in one direction only, at the master's switch port (a broken transmit or receive fibre, a one-sided filter).
/// Nothing the master sends arriving: the backups hear no master, node2 takes over after its master-down interval and
/// both hold the VIP, as VRRP defines (to the backups node1 is gone). node1 hears node2's lower priority every second
/// and re-asserts each time (an advert and a GARP burst, RFC 3768 §6.4.3 discard plus keepalived's forced election),
/// which nobody receives; after the heal its next advert makes node2 step down. Nothing the backups send arriving at
/// the master changes nothing at all: backups are silent in VRRPv2, so the master has nothing to miss.
/// </summary>
public sealed class OneWayLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = VrrpFaultLab.Timeout;

    /// <summary>Lower-priority adverts node1 hears during the fault: its re-assertions that do not get through.</summary>
    private const int ReassertionsHeard = 3;

    /// <summary>Adverts the master sends while deaf, more than a master-down interval's worth.</summary>
    private const int DeafAdverts = 8;

    [RootFact]
    public void WhenTheMastersAdvertsDoNotReachTheBackupsBothHoldTheVipAndAfterTheHealOneHolderRemainsWithinAnAdvertIntervalPlusSkew()
    {
        using var f = VrrpFaultLab.Start();
        f.Settle();
        var settled = DateTime.Now;

        var cutAt = SegmentFilter.Apply(f.Lab, Mute(1));
        var takeover = VrrpTiming.AssertTakeoverWithinMasterDown(f.Daemons[1], 99, cutAt, Timeout);
        LabStatus.WaitForBackupOf(f.Lab, f.Nodes[2], f.Nodes[1], adverts: 3);
        // The fault's length: node1 has heard node2 and re-asserted, unheard, several times.
        WaitForReassertions(f, takeover, ReassertionsHeard);
        Assert.Equal("Master", LabStatus.Instance(LabStatus.Get(f.Lab, f.Nodes[0])).GetProperty("state").GetString());
        Assert.Equal([1, 2], f.Sampler.Current);

        var healAt = SegmentFilter.Clear(f.Lab);
        var (sole, yielded) = f.AssertHealed(healAt);
        // Counted once the capture has caught up: re-assertions well before the heal, and the GARPs up to it.
        var reasserted = Reassertions(f, takeover, healAt - VrrpTiming.Margin);
        var garpsUnheard = f.Capture.GarpsSent(1, takeover).Count(g => g.At < healAt + VrrpTiming.Margin);
        var reachedOthers = f.Capture.AdvertsDelivered(2, cutAt).Concat(f.Capture.AdvertsDelivered(3, cutAt)).Count(a => a.Priority == 100 && a.At < healAt);

        var node1 = VrrpTransitions.Since(f.Daemons[0], settled);
        var node2 = VrrpTransitions.Since(f.Daemons[1], settled);
        output.WriteLine($"one-way loss (node1 -> segment): node2 master {(takeover - cutAt).TotalMilliseconds:F0} ms after the cut; node1 re-asserted {reasserted} times on node2's adverts, sending {garpsUnheard} GARPs nobody got; after the heal node2 stepped down in {(yielded - healAt).TotalMilliseconds:F0} ms, one holder after {(sole - f.Sampler.FromLocal(healAt)).TotalMilliseconds:F0} ms");
        output.WriteLine($"transitions node1 [{VrrpTransitions.Describe(node1)}] node2 [{VrrpTransitions.Describe(node2)}]");
        output.WriteLine(f.Sampler.Describe());

        Assert.Equal(0, reachedOthers);
        Assert.True(node1.Count == 0, $"node1 changed state: {VrrpTransitions.Describe(node1)}\n{f.Describe()}");
        Assert.Equal([("Backup", "Master"), ("Master", "Backup")], node2.Select(t => (t.From, t.To)));
        // Each lower-priority advert heard is answered with a GARP burst (garp_lower_prio_repeat 5).
        Assert.True(garpsUnheard >= 5 * reasserted, $"node1 sent {garpsUnheard} GARPs for {reasserted} re-assertions");
    }

    [RootFact]
    public void WhenTheMasterDoesNotHearTheBackupsNothingChangesAndOneNodeHoldsTheVipThroughout()
    {
        using var f = VrrpFaultLab.Start();
        f.Settle();
        var settled = DateTime.Now;
        var before = f.Sampler.Now;

        var cutAt = SegmentFilter.Apply(f.Lab, Deafen(1));
        // The filter is in place: a datagram node2 sends node1 (after its ARP request) is dropped at node1's port.
        Shell.Run("ip", "netns", "exec", f.Nodes[1].Netns, "python3", "-c",
            $"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('{f.Nodes[0].Address}', 9))");
        WaitForDrop(f.Lab);
        // The fault's length: more than a master-down interval of adverts, each followed by both backups.
        f.WaitForFollowers(f.Nodes[0], DeafAdverts);
        var healAt = SegmentFilter.Clear(f.Lab);
        f.WaitForFollowers(f.Nodes[0], 2);

        var changes = f.Daemons.Select(d => VrrpTransitions.Since(d, settled)).ToArray();
        var sent = f.Capture.AdvertsSent(1, cutAt).Count(a => a.At < healAt);
        output.WriteLine($"one-way loss (segment -> node1) for {(healAt - cutAt).TotalSeconds:F1} s: node1 sent {sent} adverts, transitions {string.Join(" / ", changes.Select(c => c.Count))} on node1/2/3, {f.Sampler.Moves(before)} VIP moves, two holders at most {f.Sampler.LongestMultipleHolders(before).TotalMilliseconds:F0} ms, no holder at most {f.Sampler.LongestWithoutHolder(before).TotalMilliseconds:F0} ms");

        Assert.All(changes, c => Assert.True(c.Count == 0, $"a node changed state: {VrrpTransitions.Describe(c)}\n{f.Describe()}"));
        Assert.Equal(0, f.Sampler.Moves(before));
        Assert.Equal(TimeSpan.Zero, f.Sampler.LongestMultipleHolders(before));
        Assert.Equal(TimeSpan.Zero, f.Sampler.LongestWithoutHolder(before));
        Assert.Equal([1], f.Sampler.Current);
    }

    [RootFact]
    public void KeepalivedUnderTheSameOneWayLossFromTheMasterEndsWithOneHolder()
    {
        using var f = VrrpFaultLab.StartKeepalived();
        var cutAt = SegmentFilter.Apply(f.Lab, Mute(1));
        var took = f.Sampler.WaitForHolder(2, f.Sampler.FromLocal(cutAt), Timeout)
            ?? throw new Xunit.Sdk.XunitException($"keepalived on node2 never took over\n{f.Describe()}");
        // As long as the cloudcore-lb test: node1 has heard node2's priority this often.
        var deadline = DateTime.UtcNow + Timeout;
        while (f.Capture.AdvertsDelivered(1, cutAt).Count(a => a.Priority == 99) < ReassertionsHeard && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        var garpsUnheard = f.Capture.GarpsSent(1, cutAt).Count;
        var healAt = SegmentFilter.Clear(f.Lab);
        var heal = f.Sampler.FromLocal(healAt);
        var sole = f.Sampler.RequireSoleHolder(1, heal, Timeout, f.Daemons);
        output.WriteLine($"keepalived one-way loss (node1 -> segment): node2 took the VIP {(took - f.Sampler.FromLocal(cutAt)).TotalMilliseconds:F0} ms after the cut; node1 sent {garpsUnheard} GARPs nobody got; one holder {(sole - heal).TotalMilliseconds:F0} ms after the heal");
        output.WriteLine(f.Sampler.Describe());
        Assert.Equal([1], f.Sampler.Current);
    }

    [RootFact]
    public void KeepalivedUnderTheSameOneWayLossToTheMasterChangesNothing()
    {
        using var f = VrrpFaultLab.StartKeepalived();
        var before = f.Sampler.Now;
        var cutAt = SegmentFilter.Apply(f.Lab, Deafen(1));
        var deadline = DateTime.UtcNow + Timeout;
        while (f.Capture.AdvertsDelivered(3, cutAt).Count(a => a.Priority == 100) < DeafAdverts && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        SegmentFilter.Clear(f.Lab);
        var others = f.Capture.AdvertsSent(2, cutAt).Count + f.Capture.AdvertsSent(3, cutAt).Count;
        output.WriteLine($"keepalived one-way loss (segment -> node1): {f.Sampler.Moves(before)} VIP moves, two holders at most {f.Sampler.LongestMultipleHolders(before).TotalMilliseconds:F0} ms, {others} adverts from the backups");
        Assert.Equal(0, f.Sampler.Moves(before));
        Assert.Equal([1], f.Sampler.Current);
    }

    /// <summary>Everything the node sends is lost at its switch port; what others send still reaches it.</summary>
    private static string[] Mute(int node) => [$"iifname \"v{node}\" drop"];

    /// <summary>Everything sent to the node is lost at its switch port; what it sends still goes out.</summary>
    private static string[] Deafen(int node) => [$"oifname \"v{node}\" counter drop"];

    private static void WaitForDrop(NetnsLab lab)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (SegmentFilter.Dropped(lab) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the filter dropped nothing sent to node1");
            Thread.Sleep(100);
        }
    }

    /// <summary>Waits until node1 has logged <paramref name="count"/> forced elections since <paramref name="after"/>.</summary>
    private static void WaitForReassertions(VrrpFaultLab f, DateTime after, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (Reassertions(f, after, DateTime.MaxValue) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"node1 did not re-assert {count} times\n{f.Describe()}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Forced elections (a lower-priority advert heard as master) node1 logged between the two times.</summary>
    private static int Reassertions(VrrpFaultLab f, DateTime after, DateTime before)
    {
        var now = DateTime.Now;
        return f.Daemons[0].Output.Split('\n').Count(l => l.Contains("forcing new election", StringComparison.Ordinal)
            && DaemonLog.Stamp(l, now) is { } at && at >= after && at < before);
    }
}
