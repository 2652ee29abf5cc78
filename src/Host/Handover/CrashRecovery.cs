using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.L4Proxy;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// Crash recovery through systemd's file descriptor store (docs/design/upgrade.md, "Crash recovery"). Under systemd,
/// with <c>crash_recovery.enabled</c>, this process keeps its listeners, its long-lived sessions and a journal in the
/// store and leases its VIPs; after a crash systemd restarts it with those descriptors, and it resumes what it
/// recognises: the sessions that had nothing in flight, and mastership when the backups cannot have taken over yet.
/// </summary>
internal sealed class CrashRecovery : IDisposable
{
    /// <summary>What our advert takes to reach the backups and be acted on, taken off the time they wait.</summary>
    private static readonly TimeSpan ResumeMargin = TimeSpan.FromMilliseconds(300);

    private readonly SystemdDescriptorStore? _store;
    private readonly CrashJournal? _journal;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _journalLock = new();
    private bool _stopped;
    private bool _detached;

    public CrashRecovery(CloudCoreLbConfig config, RunArguments arguments, TimeProvider time, ILogger<CrashRecovery> logger)
    {
        _logger = logger;
        _time = time;
        var inherited = StoredDescriptors.TakeFromEnvironment();
        var options = config.CrashRecovery;
        _store = options.Enabled ? SystemdDescriptorStore.FromEnvironment(logger) : null;
        if (_store is null)
        {
            Close(inherited);
            return;
        }

        var journalFd = inherited.FirstOrDefault(d => d.Name == CrashJournal.StoreName);
        Stored = [.. inherited.Where(d => d != journalFd)];
        if (journalFd is not null)
        {
            HandoverLog.Recovering(logger, inherited.Count, inherited.Select(d => d.Name).Distinct().Count());
            try
            {
                _journal = CrashJournal.Open(journalFd.Fd);
                Recovered = true;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                HandoverLog.JournalUnreadable(logger, ex.Message);
                _store.Remove(CrashJournal.StoreName);
                _ = Tmds.Linux.LibC.close(journalFd.Fd);
            }
        }

        if (_journal is null)
        {
            _journal = CrashJournal.Create(options.MaxSessions);
            _store.Store(CrashJournal.StoreName, [_journal.Fd]);
        }

        Preservation = new SessionPreservation(_store, _journal.Slots, _journal.SlotCount, options.SessionAge, Recovered);
        if (!Recovered && Stored.Count > 0)
        {
            // Descriptors without the journal that says what they are: nothing can be resumed safely.
            foreach (var name in Stored.Select(d => d.Name).Distinct())
            {
                _store.Remove(name);
            }

            Close(Stored);
            Stored = [];
        }

        // A successor of an upgrade sends to the store only once it is the main process (BecameMain).
        if (arguments.Takeover is null)
        {
            _store.Open();
        }

        HandoverLog.CrashRecoveryOn(logger, options.SessionAge.TotalMilliseconds, _journal.SlotCount);
    }

    /// <summary>Whether descriptors are stored and VIPs leased.</summary>
    public bool Enabled => _store is not null;

    /// <summary>Whether this process was restarted after a crash with a journal to recover from.</summary>
    public bool Recovered { get; }

    /// <summary>What the store gave back besides the journal.</summary>
    public IReadOnlyList<StoredDescriptor> Stored { get; private set; } = [];

    /// <summary>For the proxy; null when off.</summary>
    public SessionPreservation? Preservation { get; }

    /// <summary>
    /// The lease of a VIP advertised every <paramref name="advertInterval"/> (two intervals, whole seconds), or null
    /// when crash recovery is off or no lease can protect the instance (<see cref="LeaseProtects"/>): its VIPs are
    /// then added without a lifetime and released at a crash (guardian, ExecStopPost) as without crash recovery.
    /// </summary>
    public TimeSpan? VipLifetime(TimeSpan advertInterval) =>
        Enabled && LeaseProtects(advertInterval) ? Lease(advertInterval) : null;

    /// <summary>
    /// Whether an unrenewed lease is gone before any backup can take over: the kernel deletes an expired address
    /// within a second of its lifetime (devinet.c / addrconf.c check_lifetime run on whole seconds), and a backup waits
    /// at least 3 intervals (RFC 3768 §6.1, RFC 5798 §6.1: 3 × interval + skew). True from 1 s adverts up (2 s lease,
    /// gone by 3 s); false below, where the 2 s minimum lease would outlive the backups' master-down interval and
    /// leave the VIP on two nodes.
    /// </summary>
    public static bool LeaseProtects(TimeSpan advertInterval) => Lease(advertInterval) + TimeSpan.FromSeconds(1) <= 3 * advertInterval;

    private static TimeSpan Lease(TimeSpan advertInterval) => TimeSpan.FromSeconds(Math.Max(2, Math.Ceiling(2 * advertInterval.TotalSeconds)));

    /// <summary>Records, for a successor after a crash, when each master last advertised.</summary>
    public void Record(IReadOnlyList<VrrpInstanceHandle> instances)
    {
        // Under the lock: the timer may fire while Dispose unmaps the journal.
        lock (_journalLock)
        {
            if (_journal is null || _stopped)
            {
                return;
            }

            for (var i = 0; i < instances.Count; i++)
            {
                _journal.WriteInstance(i, instances[i].Name, instances[i].IsMaster ? instances[i].LastAdvertTimestamp : 0);
            }
        }
    }

    /// <summary>
    /// The instances that resume as master: those that were, and whose last advert is recent enough that no backup can
    /// have declared us down (3 intervals, their least master-down interval, less a margin). The others start afresh.
    /// </summary>
    public IReadOnlyList<VrrpResumePoint> ResumePoints(IReadOnlyList<VrrpInstanceHandle> instances)
    {
        if (_journal is null || !Recovered)
        {
            return [];
        }

        var masters = _journal.ReadMasters();
        _journal.ClearInstances();
        var points = new List<VrrpResumePoint>();
        foreach (var instance in instances)
        {
            if (!masters.TryGetValue(instance.Name, out var last))
            {
                continue;
            }

            if (!LeaseProtects(instance.Options.AdvertInterval))
            {
                // Its VIPs were not leased: the guardian released them at the crash, and a backup may be master already.
                HandoverLog.RecoveryUnleased(_logger, instance.Name, instance.Options.AdvertInterval.TotalMilliseconds);
                continue;
            }

            var elapsed = _time.GetElapsedTime(last);
            var budget = (3 * instance.Options.AdvertInterval) - ResumeMargin;
            if (elapsed < budget)
            {
                points.Add(new VrrpResumePoint(instance.Name, VrrpState.Master, 0));
            }
            else
            {
                HandoverLog.RecoveryTooLate(_logger, instance.Name, elapsed.TotalMilliseconds, budget.TotalMilliseconds);
            }
        }

        return points;
    }

    /// <summary>Recovered without a proxy to adopt them: every stored descriptor is closed and leaves the store.</summary>
    public void Discard()
    {
        foreach (var name in Stored.Select(d => d.Name).Distinct())
        {
            _store?.Remove(name);
        }

        Close(Stored);
        Stored = [];
    }

    /// <summary>A successor of an upgrade is the main process now: its store requests go out.</summary>
    public void BecameMain() => _store?.Open();

    /// <summary>
    /// The upgrade commits: before the successor becomes the main process, everything this one stored leaves the
    /// store (systemd takes requests from the main process only), and nothing more is stored. The successor stores
    /// its own.
    /// </summary>
    public void Detach(ProxyRuntime proxy)
    {
        if (_store is null)
        {
            return;
        }

        _detached = true;
        proxy.DetachPreservation();
        _store.Remove(CrashJournal.StoreName);
        _ = _store.Flush(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// At a clean stop the sessions and listeners have left the store already; the journal goes too, with no master
    /// on record, so a daemon started again by <c>systemctl restart</c> starts afresh instead of resuming.
    /// </summary>
    public void Dispose()
    {
        lock (_journalLock)
        {
            _stopped = true;
        }

        if (_store is not null && _journal is not null && !_detached)
        {
            _journal.ClearInstances();
            _store.Remove(CrashJournal.StoreName);
            _ = _store.Flush(TimeSpan.FromSeconds(2));
        }

        _store?.Dispose();
        _journal?.Dispose();
    }

    private static void Close(IEnumerable<StoredDescriptor> descriptors)
    {
        foreach (var d in descriptors)
        {
            _ = Tmds.Linux.LibC.close(d.Fd);
        }
    }
}
