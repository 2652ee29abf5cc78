using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>
/// What the segment capture says about elections, independently of any daemon's own account: when a node was master
/// (it sends adverts only then), and how long a backup went without an advert it must accept (one of higher priority:
/// RFC 3768 §6.4.2 resets the master-down timer on those and discards lower ones under preempt). A backup can take
/// over only in such a silence, and at most once in each: the advert that ends it makes it Backup again.
/// </summary>
internal static class AdvertTimeline
{
    /// <summary>
    /// The spells in which <paramref name="node"/> sent adverts, from <paramref name="after"/> on: runs of its adverts
    /// less than two advert intervals apart (a master sends one each interval, its first on the transition itself;
    /// two masterships are a master-down interval apart at least).
    /// </summary>
    public static IReadOnlyList<(DateTime From, DateTime To)> Masterships(SegmentCapture capture, int node, DateTime after)
    {
        var spells = new List<(DateTime From, DateTime To)>();
        foreach (var advert in capture.AdvertsSent(node, after).Where(a => a.Priority > 0))
        {
            if (spells.Count > 0 && advert.At - spells[^1].To < 2 * VrrpTiming.AdvertInterval)
            {
                spells[^1] = (spells[^1].From, advert.At);
            }
            else
            {
                spells.Add((advert.At, advert.At));
            }
        }

        return spells;
    }

    /// <summary>
    /// The silences longer than <paramref name="longerThan"/> between adverts of a priority above
    /// <paramref name="priority"/> the switch delivered to <paramref name="node"/>, that end after
    /// <paramref name="after"/>; the last runs until <paramref name="until"/>.
    /// </summary>
    public static IReadOnlyList<(DateTime From, DateTime To)> Silences(SegmentCapture capture, int node, int priority, DateTime after, DateTime until, TimeSpan longerThan)
    {
        // From a little before the fault, so the first silence starts at the last advert heard before it.
        var heard = capture.AdvertsDelivered(node, after - (4 * VrrpTiming.AdvertInterval))
            .Where(a => a.Priority > priority && a.At <= until).Select(a => a.At).Append(until).ToArray();
        var silences = new List<(DateTime From, DateTime To)>();
        for (var i = 1; i < heard.Length; i++)
        {
            if (heard[i] > after && heard[i] - heard[i - 1] > longerThan)
            {
                silences.Add((heard[i - 1], heard[i]));
            }
        }

        return silences;
    }
}
