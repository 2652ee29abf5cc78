using CloudCoreLb.Vrrp.Diagnostics;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Fault handling shared by every fault source (own link, fault-level checks, tracked interfaces, the sync group) and
/// the member side of a <see cref="VrrpSyncGroup"/> (keepalived <c>vrrp_sync_group</c>, docs/configuration.md). The
/// group is only ever called under this router's lock and never calls a router under its own, so the lock order is
/// always router, then group.
/// </summary>
internal sealed partial class VrrpRouter
{
    private VrrpSyncGroup? _syncGroup;
    private bool _syncFault;
    private bool _wantsMaster;

    /// <summary>The sync group this router belongs to, or null.</summary>
    public string? SyncGroupName => _syncGroup?.Name;

    /// <summary>True while this router's own conditions hold it in Fault (not the group's).</summary>
    private bool OwnFault => !_linkUp || _trackingFault || InterfaceFault;

    /// <summary>Joins <paramref name="group"/> (or leaves any group with null) and aligns with its fault state.</summary>
    internal void JoinSyncGroup(VrrpSyncGroup? group)
    {
        lock (_gate)
        {
            _syncGroup = group;
            _syncFault = false;
            _wantsMaster = false;
        }

        FollowGroupFault();
    }

    /// <summary>The group's fault changed: enter Fault while another member is in its own fault, leave it after.</summary>
    internal void FollowGroupFault()
    {
        lock (_gate)
        {
            if (!_disposed && !_frozen && _state != VrrpState.Initialize)
            {
                var detail = SyncFaultDetail;
                ApplyFaults(VrrpTransitionReason.SyncGroup, detail, VrrpTransitionReason.SyncGroup, "no member of the sync group is in fault");
            }
        }

        RaiseStateChanges();
    }

    /// <summary>Another member left Master for Backup: so does this one, without a priority-0 advert (keepalived).</summary>
    internal void FollowGroupBackup(string detail)
    {
        lock (_gate)
        {
            if (!_disposed && !_frozen && _state == VrrpState.Master)
            {
                EnterBackup(VrrpTransitionReason.SyncGroup, detail);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>Another member became master with every member ready: a backup follows at once (a held one does not).</summary>
    internal void FollowGroupMaster(string detail)
    {
        lock (_gate)
        {
            if (!_disposed && !_frozen && !_held && _state == VrrpState.Backup)
            {
                EnterMaster(VrrpTransitionReason.SyncGroup, detail);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>Under the lock: reports the own fault to the group; true when this router must be in Fault.</summary>
    private bool FaultDue()
    {
        var own = OwnFault;
        _syncFault = _syncGroup is { } group && group.MemberFault(this, own);
        return own || _syncFault;
    }

    private string SyncFaultDetail => $"sync group {_syncGroup?.Name}: {_syncGroup?.FaultedMemberName(this) ?? "another member"} is in fault";

    /// <summary>
    /// Under the lock, after a fault source changed: enters Fault (releasing what a master holds) or leaves it when no
    /// source is left. The reason given is the caller's when the change is our own, the group's otherwise. True when
    /// the state changed.
    /// </summary>
    private bool ApplyFaults(VrrpTransitionReason downReason, string downDetail, VrrpTransitionReason upReason, string upDetail)
    {
        var due = FaultDue();
        if (due && _state != VrrpState.Fault)
        {
            if (!OwnFault)
            {
                (downReason, downDetail) = (VrrpTransitionReason.SyncGroup, SyncFaultDetail);
            }

            ReleaseAndEnter(VrrpState.Fault, downReason, downDetail);
            return true;
        }

        if (!due && _state == VrrpState.Fault)
        {
            LeaveFault(upReason, upDetail);
            return true;
        }

        return false;
    }

    /// <summary>Under the lock at start: why the router starts in Fault.</summary>
    private (VrrpTransitionReason Reason, string Detail) StartFaultCause() =>
        !_linkUp ? (VrrpTransitionReason.LinkDown, $"interface {_options.Interface} is down")
        : _trackingFault ? (VrrpTransitionReason.TrackingFault, "a fault-level tracker is failing")
        : InterfaceFault ? (VrrpTransitionReason.LinkDown, $"tracked interface {DownInterface} is down")
        : (VrrpTransitionReason.SyncGroup, SyncFaultDetail);

    /// <summary>
    /// Under the lock, when the master-down timer expired: a member of a sync group becomes master only when every
    /// other member wants to as well (keepalived prefers Backup to thrashing); until then it stays Backup with a fresh
    /// master-down timer, and the last member ready takes the others along.
    /// </summary>
    private bool SyncAllowsMaster()
    {
        if (_syncGroup is not { } group)
        {
            return true;
        }

        var first = !_wantsMaster;
        _wantsMaster = true;
        if (group.MayBecomeMaster(this))
        {
            return true;
        }

        if (first)
        {
            VrrpLog.SyncGroupWaiting(_logger, _options.Name, group.Name);
        }

        _masterDownTimer.Arm(MasterDownInterval(_effectivePriority));
        return false;
    }

    /// <summary>Under the lock: a master was heard, or the state changed; this router no longer waits to be master.</summary>
    private void SyncWantsBackup()
    {
        if (_wantsMaster)
        {
            _wantsMaster = false;
            _syncGroup?.MemberWantsBackup(this);
        }
    }
}
