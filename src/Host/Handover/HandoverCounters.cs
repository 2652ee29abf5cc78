using System.Collections.Concurrent;

namespace CloudCoreLb.Host.Handover;

/// <summary>Upgrade outcomes for metrics and status; counters of the whole chain, carried from one process to the next.</summary>
internal sealed class HandoverCounters
{
    private long _upgrades;
    private long _failedUpgrades;
    private long _handedOver;
    private long _adopted;
    private long _recovered;

    public long Upgrades => Interlocked.Read(ref _upgrades);

    public long FailedUpgrades => Interlocked.Read(ref _failedUpgrades);

    public long SessionsHandedOver => Interlocked.Read(ref _handedOver);

    public long SessionsAdopted => Interlocked.Read(ref _adopted);

    public ConcurrentDictionary<string, long> SessionsRefused { get; } = new(StringComparer.Ordinal);

    /// <summary>Sessions this process took back from the descriptor store after a crash.</summary>
    public long SessionsRecovered => Interlocked.Read(ref _recovered);

    /// <summary>Stored sessions this process reset instead, by reason (<c>in-flight</c>, <c>unknown-server</c>, ...).</summary>
    public ConcurrentDictionary<string, long> RecoveryRefused { get; } = new(StringComparer.Ordinal);

    public void Upgraded(int sessions)
    {
        Interlocked.Increment(ref _upgrades);
        Interlocked.Add(ref _handedOver, sessions);
    }

    public void UpgradeFailed() => Interlocked.Increment(ref _failedUpgrades);

    public void Adopted(int sessions, IReadOnlyDictionary<string, int> refused)
    {
        Interlocked.Add(ref _adopted, sessions);
        foreach (var (reason, count) in refused)
        {
            SessionsRefused.AddOrUpdate(reason, count, (_, old) => old + count);
        }
    }

    public void Recovered(int sessions, IReadOnlyDictionary<string, int> refused)
    {
        Interlocked.Add(ref _recovered, sessions);
        foreach (var (reason, count) in refused)
        {
            RecoveryRefused.AddOrUpdate(reason, count, (_, old) => old + count);
        }
    }

    /// <summary>What the previous process counted, so totals go on across an upgrade.</summary>
    public void Carry(HandoverTotals totals)
    {
        Interlocked.Add(ref _upgrades, totals.Upgrades);
        Interlocked.Add(ref _failedUpgrades, totals.FailedUpgrades);
        Interlocked.Add(ref _handedOver, totals.SessionsHandedOver);
        Interlocked.Add(ref _adopted, totals.SessionsAdopted);
    }

    public HandoverTotals Totals() => new(Upgrades, FailedUpgrades, SessionsHandedOver, SessionsAdopted);
}

/// <summary>The carried part of <see cref="HandoverCounters"/>.</summary>
internal sealed record HandoverTotals(long Upgrades, long FailedUpgrades, long SessionsHandedOver, long SessionsAdopted);
