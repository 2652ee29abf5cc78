using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Instances that change state together (keepalived <c>vrrp_sync_group</c>), e.g. the IPv4 and IPv6 VIPs of one
/// cluster, or a VIP and the gateway behind it. As in keepalived: while any member is in its own fault (link, tracked
/// interface, fault-level check) every member is in Fault, masters sending priority 0 so the peer group takes over in
/// its skew time; a master stepping down to Backup takes the other masters with it; a backup whose master-down timer
/// expires stays Backup until every member wants to be master, and the last one ready takes the others along.
/// </summary>
/// <remarks>
/// Members report to the group under their own lock; the group reacts to their transitions after those locks are
/// released (<see cref="VrrpRouter.StateChanged"/>), so no lock is ever held while another router is called.
/// Transitions the group caused carry <see cref="VrrpTransitionReason.SyncGroup"/> and cause nothing further.
/// </remarks>
public sealed class VrrpSyncGroup : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Member[] _members;
    private readonly ILogger _logger;
    private long _syncs;
    private int _disposed;
    private VrrpState _lastState = VrrpState.Initialize;

    /// <summary>Forms a group of open instances, before or after they start (a reload forms groups again).</summary>
    /// <exception cref="ArgumentException">No name, fewer than one instance, or an instance listed twice.</exception>
    public VrrpSyncGroup(string name, IReadOnlyList<VrrpInstanceHandle> instances, ILoggerFactory? loggers = null)
        : this(name, [.. (instances ?? throw new ArgumentNullException(nameof(instances))).Select(i => i.Router)], (loggers ?? NullLoggerFactory.Instance).CreateLogger("CloudCoreLb.Vrrp"))
    {
    }

    internal VrrpSyncGroup(string name, IReadOnlyList<VrrpRouter> routers, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(routers);
        if (routers.Count == 0 || routers.Distinct().Count() != routers.Count)
        {
            throw new ArgumentException($"sync group {name} needs distinct instances", nameof(routers));
        }

        Name = name;
        _logger = logger;
        _members = [.. routers.Select(r => new Member(this, r))];
        VrrpLog.SyncGroupFormed(_logger, name, string.Join(", ", routers.Select(r => r.Name)));
        foreach (var member in _members)
        {
            member.Router.StateChanged += member.OnStateChanged;
        }

        foreach (var member in _members)
        {
            member.Router.JoinSyncGroup(this);
        }
    }

    /// <summary>
    /// Raised with the group's new <see cref="State"/> each time it changes (keepalived's group notify), in order. Raised
    /// under the group's lock: a handler must only queue work (it must not block or call into an instance).
    /// </summary>
    public event Action<VrrpState>? StateChanged;

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>Member instance names, in configuration order.</summary>
    public IReadOnlyList<string> Instances => [.. _members.Select(m => m.Router.Name)];

    /// <summary>How many times one member's transition moved the others.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>
    /// The group's state: Fault while any member is, Master when every member is, Initialize while any member is not
    /// started, Backup otherwise (also while the members move from one state to the next).
    /// </summary>
    public VrrpState State
    {
        get
        {
            var states = _members.Select(m => m.Router.State).ToArray();
            return states.Contains(VrrpState.Fault) ? VrrpState.Fault
                : states.All(s => s == VrrpState.Master) ? VrrpState.Master
                : states.Contains(VrrpState.Initialize) ? VrrpState.Initialize
                : VrrpState.Backup;
        }
    }

    /// <summary>Leaves the members on their own: each one's fault is its own again.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var member in _members)
        {
            member.Router.StateChanged -= member.OnStateChanged;
        }

        foreach (var member in _members)
        {
            member.Router.JoinSyncGroup(null);
        }
    }

    /// <summary>Under the member's lock: records its own fault; true while another member's own fault holds the group in Fault.</summary>
    internal bool MemberFault(VrrpRouter router, bool ownFault)
    {
        lock (_gate)
        {
            var any = false;
            foreach (var member in _members)
            {
                if (member.Router == router)
                {
                    member.OwnFault = ownFault;
                }
                else
                {
                    any |= member.OwnFault;
                }
            }

            return any;
        }
    }

    /// <summary>The first member other than <paramref name="router"/> in its own fault, for log and status details.</summary>
    internal string? FaultedMemberName(VrrpRouter router)
    {
        lock (_gate)
        {
            return _members.FirstOrDefault(m => m.Router != router && m.OwnFault)?.Router.Name;
        }
    }

    /// <summary>
    /// Under the member's lock, its master-down timer expired: it wants to be master. True when every other member
    /// wants to as well or is master already (keepalived <c>vrrp_sync_can_goto_master</c>).
    /// </summary>
    internal bool MayBecomeMaster(VrrpRouter router)
    {
        lock (_gate)
        {
            var all = true;
            foreach (var member in _members)
            {
                if (member.Router == router)
                {
                    member.WantsMaster = true;
                }
                else
                {
                    all &= member.WantsMaster || member.Router.State == VrrpState.Master;
                }
            }

            return all;
        }
    }

    /// <summary>Under the member's lock: it heard a master or changed state, so it no longer waits to be master.</summary>
    internal void MemberWantsBackup(VrrpRouter router)
    {
        lock (_gate)
        {
            foreach (var member in _members)
            {
                if (member.Router == router)
                {
                    member.WantsMaster = false;
                }
            }
        }
    }

    /// <summary>Outside every lock, in the member's transition order: moves the others (keepalived's sync handlers).</summary>
    private void OnMemberChanged(Member source, VrrpStateChange change)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        RaiseIfStateChanged();
        if (change.Reason == VrrpTransitionReason.SyncGroup)
        {
            return;
        }

        var faultChanged = change.To == VrrpState.Fault || change.From == VrrpState.Fault;
        var toBackup = change.From == VrrpState.Master && change.To == VrrpState.Backup;
        var toMaster = change.To == VrrpState.Master;
        if (!faultChanged && !toBackup && !toMaster)
        {
            return;
        }

        Interlocked.Increment(ref _syncs);
        VrrpLog.SyncGroupSyncing(_logger, Name, source.Router.Name, change.From, change.To, change.Reason);
        var detail = $"sync group {Name}: {source.Router.Name} went {change.To} ({change.Reason})";
        foreach (var member in _members)
        {
            if (member == source)
            {
                continue;
            }

            if (faultChanged)
            {
                member.Router.FollowGroupFault();
            }

            if (toBackup)
            {
                member.Router.FollowGroupBackup(detail);
            }
            else if (toMaster)
            {
                member.Router.FollowGroupMaster(detail);
            }
        }
    }

    private void RaiseIfStateChanged()
    {
        lock (_gate)
        {
            var state = State;
            if (state != _lastState)
            {
                _lastState = state;
                try
                {
                    StateChanged?.Invoke(state);
                }
                catch (Exception ex)
                {
                    VrrpLog.StateChangedHandlerFailed(_logger, Name, ex);
                }
            }
        }
    }

    private sealed class Member(VrrpSyncGroup group, VrrpRouter router)
    {
        public VrrpRouter Router { get; } = router;

        /// <summary>Guarded by the group's lock.</summary>
        public bool OwnFault { get; set; }

        /// <summary>Guarded by the group's lock.</summary>
        public bool WantsMaster { get; set; }

        public void OnStateChanged(VrrpStateChange change) => group.OnMemberChanged(this, change);
    }
}
