using CloudCoreLb.Vrrp.Tests.TestDoubles;
using static CloudCoreLb.Vrrp.Tests.Router.Timing;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>
/// The wall clock stepped under a running master and its backup (issue 15; the lab's WallClockJumpTests do the same
/// to a real daemon with libfaketime). The router times everything on <see cref="TimeProvider.GetTimestamp"/> and its
/// timers, never on <see cref="TimeProvider.GetUtcNow"/>, so a step of an hour either way changes nothing.
/// </summary>
public sealed class VrrpRouterWallClockTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly InMemoryVrrpNetwork _network = new();

    [Fact]
    public void StepsOfAnHourEitherWay_LeaveTheAdvertScheduleAndEveryStateAsTheyWere()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        var backup = _network.AddRouter("10.10.102.11", 99);
        master.Start();
        backup.Start();
        _network.AdvanceTo(S(10.5));
        var settled = _network.Now;
        var wallBefore = _network.Time.GetUtcNow();

        foreach (var step in new[] { Hour, -Hour, -Hour, Hour })
        {
            _network.Time.StepWallClock(step);
            _network.Advance(S(5));
        }

        // The steps reached the clock the router reads the wall time from: twenty seconds passed, an hour was undone.
        Assert.Equal(S(20), _network.Time.GetUtcNow() - wallBefore);
        var adverts = master.SentAdverts.Where(a => a.At > settled).Select(a => a.At).ToArray();
        Assert.Equal(20, adverts.Length);
        Assert.All(adverts.Zip(adverts.Skip(1), (a, b) => b - a), gap => Assert.Equal(S(1), gap));
        Assert.DoesNotContain(master.Changes, c => c.At > settled);
        Assert.DoesNotContain(backup.Changes, c => c.At > settled);
        Assert.Equal((VrrpState.Master, VrrpState.Backup), (master.State, backup.State));
        Assert.Empty(backup.SentAdverts);
    }

    [Fact]
    public void TheLastAdvertOnRecordForCrashRecovery_IsAsOldAfterAStepAsTheMonotonicClockSays()
    {
        var master = _network.AddRouter("10.10.102.10", 100);
        master.Start();
        _network.AdvanceTo(S(10.5));
        var lastAdvert = master.Router.LastAdvertTimestamp;
        var age = _network.Time.GetElapsedTime(lastAdvert);

        // A successor after a crash compares this record with its own clock (CrashRecovery.ResumePoints): a backward
        // step must not make a stale record look fresh, nor a forward one a fresh record stale.
        foreach (var step in new[] { -Hour, Hour + Hour })
        {
            _network.Time.StepWallClock(step);
            Assert.Equal(lastAdvert, master.Router.LastAdvertTimestamp);
            Assert.Equal(age, _network.Time.GetElapsedTime(master.Router.LastAdvertTimestamp));
        }
    }
}
