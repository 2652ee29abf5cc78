using CloudCoreLb.Host.Handover;
using CloudCoreLb.Host.Metrics;
using Prometheus;

namespace CloudCoreLb.Host.Tests.Metrics;

public sealed class CounterCarryTests
{
    private const string Connections = "cloudcore_lb_frontend_connections_total";
    private const string Transitions = "cloudcore_lb_vrrp_transitions_total";

    private static (Counter Connections, Counter Transitions, Counter Recovered) Counters()
    {
        var f = Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry());
        return (f.CreateCounter(Connections, "c", ["frontend"]), f.CreateCounter(Transitions, "t", ["instance", "from", "to"]),
            f.CreateCounter("cloudcore_lb_sessions_recovered_total", "r"));
    }

    [Fact]
    public void TheNewProcess_CountsOnFromWhatTheOldOneExposed()
    {
        var old = Counters();
        var oldCarry = new CounterCarry();
        oldCarry.Count(old.Connections, 40, "hub");
        oldCarry.Count(old.Transitions, 1, "CloudCore", "backup", "master");
        oldCarry.Count(old.Recovered, 3);
        var carried = CounterCarry.Read([old.Connections, old.Transitions, old.Recovered]);

        var next = Counters();
        var carry = new CounterCarry();
        carry.Restore(carried);
        carry.Count(next.Connections, 2, "hub");
        carry.Count(next.Recovered, 0);
        carry.ExposeCarried([next.Connections, next.Transitions, next.Recovered]);

        Assert.Equal(42, next.Connections.WithLabels("hub").Value);
        Assert.Equal(3, next.Recovered.Value);
        // Never counted by the new process, still exposed at the old value instead of vanishing.
        Assert.Equal(1, next.Transitions.WithLabels("CloudCore", "backup", "master").Value);
    }

    [Fact]
    public void ACarriedValue_IsCarriedAgainByTheNextUpgrade()
    {
        var first = new CounterCarry();
        first.Restore([new CarriedCounter(Connections, ["hub"], 10)]);
        var c = Counters();
        first.Count(c.Connections, 5, "hub");

        var second = new CounterCarry();
        second.Restore(CounterCarry.Read([c.Connections]));

        Assert.Equal(15, second.Baseline(Connections, ["hub"]));
    }

    [Fact]
    public void CorruptEntries_CountFromZero_AndDuplicatesKeepTheFirst()
    {
        var carry = new CounterCarry();
        carry.Restore([
            new CarriedCounter(Connections, ["hub"], double.NaN),
            new CarriedCounter(Connections, ["tunnel"], -5),
            new CarriedCounter(Connections, null!, 5),
            new CarriedCounter(Connections, ["edge"], 7),
            new CarriedCounter(Connections, ["edge"], 9),
        ]);

        Assert.Equal(0, carry.Baseline(Connections, ["hub"]));
        Assert.Equal(0, carry.Baseline(Connections, ["tunnel"]));
        Assert.Equal(7, carry.Baseline(Connections, ["edge"]));
        Assert.Single(carry.Entries);
    }

    [Fact]
    public void LabelValuesThatJoinAlike_AreDifferentSeries()
    {
        var carry = new CounterCarry();
        carry.Restore([new CarriedCounter(Transitions, ["a", "bc", "d"], 1)]);

        Assert.Equal(0, carry.Baseline(Transitions, ["ab", "c", "d"]));
        Assert.Equal(1, carry.Baseline(Transitions, ["a", "bc", "d"]));
    }

    [Fact]
    public void WithoutAnExporter_ThereIsNothingToCarry()
    {
        Assert.Empty(new CounterCarry().Snapshot());
    }
}
