using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Vrrp.Router;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// One running VRRP instance as the host sees it: start it, feed it nothing (it reads its own socket, links and
/// checks), read its state, release it. Built by <see cref="VrrpRuntime.Open"/>; owns its sockets, its VIP manager,
/// its GARP sender and the checks it tracks, and disposes them.
/// </summary>
public sealed class VrrpInstanceHandle : IAsyncDisposable
{
    private readonly VrrpRouter _router;
    private readonly VrrpInstance _instance;
    private readonly PriorityTracker _tracker;
    private readonly IReadOnlyList<VrrpTrack> _tracks;
    private readonly IReadOnlyList<IDisposable> _resources;
    private int _disposed;

    internal VrrpInstanceHandle(VrrpInstanceOptions options, VrrpRouter router, VrrpInstance instance, PriorityTracker tracker, IReadOnlyList<VrrpTrack> tracks, IReadOnlyList<IDisposable> resources)
    {
        Options = options;
        _router = router;
        _instance = instance;
        _tracker = tracker;
        _tracks = tracks;
        _resources = resources;
        // Applied before Start: a weight-0 check that has not reported yet holds the instance in FAULT (keepalived).
        var (delta, fault) = tracker.Current;
        router.SetTracking(delta, fault);
        tracker.Changed += router.SetTracking;
    }

    /// <summary>Raised after every state transition, outside the instance's lock, in transition order.</summary>
    public event Action<VrrpStateChange>? StateChanged
    {
        add => _router.StateChanged += value;
        remove => _router.StateChanged -= value;
    }

    /// <summary>The options the instance runs with, as given.</summary>
    public VrrpInstanceOptions Options { get; }

    /// <summary>The state machine, for a <see cref="VrrpSyncGroup"/>.</summary>
    internal VrrpRouter Router => _router;

    /// <summary>The instance name.</summary>
    public string Name => Options.Name;

    /// <summary>The address adverts leave from.</summary>
    public System.Net.IPAddress SourceAddress => _router.SourceAddress;

    /// <summary>The checks this instance tracks, with the weights in effect.</summary>
    public IReadOnlyList<VrrpTrack> Tracks => _tracks;

    /// <summary>Starts the state machine, its receive loop and its checks.</summary>
    /// <param name="resume">Where the previous process left off (an upgrade): a master goes on being master without
    /// sending anything out of schedule. <remarks>Defaults to a fresh start.</remarks></param>
    public void Start(VrrpResumePoint? resume = null)
    {
        _instance.Start(resume);
        foreach (var track in _tracks)
        {
            track.Check.Start();
        }
    }

    /// <summary>
    /// Releases at once, without tearing anything down: a master sends one priority-0 advert and removes its VIPs, so
    /// the backup takes over after its skew time. Called first on SIGTERM, before anything slower.
    /// </summary>
    public void Release() => _router.Stop();

    /// <summary>The instance's state now.</summary>
    public VrrpInstanceSnapshot Snapshot() => new(
        Name, _router.State, _router.EffectivePriority, _router.SourceAddress, _router.LastMasterAddress, _router.LastMasterPriority,
        _router.ConfigurationFault, _router.Counters.Snapshot(), _tracker.Snapshot(), _router.IsHeld)
    {
        SyncGroup = _router.SyncGroupName,
        TrackedInterfaces = _router.TrackedInterfaces,
        // Read after the state: the router records a transition before the state it leads to.
        LastTransition = _router.LastTransition,
    };

    /// <summary>Whether the operator holds this instance (see <see cref="Hold"/>).</summary>
    public bool IsHeld => _router.IsHeld;

    /// <summary>
    /// Keeps this node from taking the VIP while another router advertises: priority 1 until <see cref="ReleaseHold"/>.
    /// Returns false for an address owner (priority 255), which cannot be held.
    /// </summary>
    public bool Hold() => _router.Hold();

    /// <summary>Restores the configured priority; a preempting node with the best priority takes the VIP back.</summary>
    public void ReleaseHold() => _router.Release();

    /// <summary>
    /// Planned handover on the master: advertises priority 0 while keeping the VIP, so the best backup takes over in
    /// its skew time, and removes the VIP only once the successor's advert arrived; the node is then held. Completes
    /// with <see cref="VrrpHandoverOutcome.TookOver"/> false when this node is not master, or when nobody took over
    /// within <paramref name="timeout"/> (the priority is then restored and the node stays master).
    /// </summary>
    public Task<VrrpHandoverOutcome> HandOverAsync(TimeSpan timeout) => _router.HandOver(timeout);

    /// <summary>
    /// True when the state machine's lock is free within <paramref name="timeout"/>: the systemd watchdog's proof that
    /// timers and received adverts are still being processed.
    /// </summary>
    public bool IsResponsive(TimeSpan timeout) => _router.IsResponsive(timeout);

    /// <summary>
    /// When this instance last advertised as master (a <see cref="TimeProvider.GetTimestamp"/> of its clock), or 0:
    /// a process restarted after a crash resumes only if the backups cannot have taken over since.
    /// </summary>
    public long LastAdvertTimestamp => _router.LastAdvertTimestamp;

    /// <summary>Whether the instance is master now.</summary>
    public bool IsMaster => _router.State == VrrpState.Master;

    /// <summary>
    /// Freezes the state machine for an upgrade (no advert, no transition) and says where the next process resumes;
    /// <see cref="Thaw"/> undoes it when the upgrade fails, <see cref="DetachAsync"/> ends it when it succeeds.
    /// </summary>
    public VrrpResumePoint Freeze() => _router.Freeze();

    /// <summary>Undoes <see cref="Freeze"/>.</summary>
    public void Thaw() => _router.Thaw();

    /// <summary>Clean stop: checks stop, the instance releases (as <see cref="Release"/>), every resource is closed.</summary>
    public ValueTask DisposeAsync() => CloseAsync(release: true);

    /// <summary>
    /// After the next process took over: closes everything without releasing (no priority-0 advert, the VIPs stay
    /// where the new process keeps them).
    /// </summary>
    public ValueTask DetachAsync() => CloseAsync(release: false);

    private async ValueTask CloseAsync(bool release)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _tracker.Changed -= _router.SetTracking;
        foreach (var track in _tracks)
        {
            await track.Check.DisposeAsync().ConfigureAwait(false);
        }

        _tracker.Dispose();
        await (release ? _instance.DisposeAsync() : _instance.DetachAsync()).ConfigureAwait(false);
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }
}
