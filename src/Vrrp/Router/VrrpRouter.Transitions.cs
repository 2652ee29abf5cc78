using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

internal sealed partial class VrrpRouter
{
    /// <summary>Backup with the full master-down timer; a master leaving for Backup removes its VIPs without a priority-0 advert.</summary>
    private void EnterBackup(VrrpTransitionReason reason, string detail)
    {
        if (_state == VrrpState.Master)
        {
            CancelMasterTimers();
            RemoveAddresses();
        }

        _masterReleased = false;
        _preemptDelayStart = null;
        _masterDownTimer.Arm(MasterDownInterval(_effectivePriority));
        EnterState(VrrpState.Backup, reason, detail);
    }

    /// <summary>
    /// keepalived <c>vrrp_state_goto_master</c> order (docs/design/vrrp.md §5.4): advert first so the old master steps down
    /// before we GARP, then VIPs, then the GARP burst, then the delayed burst, refresh and periodic adverts. After a
    /// release (priority 0) the VIPs and the first GARP round go before the advert: a releasing peer has nothing to step down from, or it is
    /// handing over (<see cref="HandOver"/>) and holds the VIPs until our advert arrives; the clients must have our
    /// GARP by then, or their next packets go to a node that just let the address go.
    /// </summary>
    private void EnterMaster(VrrpTransitionReason reason, string detail)
    {
        _masterDownTimer.Cancel();
        _masterReleased = false;
        _preemptDelayStart = null;
        EnterState(VrrpState.Master, reason, detail);
        RecordMaster(_source, _effectivePriority);
        _masterAdvertInterval = _advertInterval;

        var released = reason == VrrpTransitionReason.MasterReleased;
        if (!released)
        {
            SendAdvert(_effectivePriority);
        }

        AddAddresses();
        _holdingLeftoverAddresses = false;

        // After a release one GARP round is what moves the clients; the advert then lets the old holder go while the
        // rest repeat.
        var first = released ? Math.Min(1, _options.GarpMasterRepeat) : _options.GarpMasterRepeat;
        SendGarpBurst(first);
        if (released)
        {
            SendAdvert(_effectivePriority);
        }

        SendGarpBurst(_options.GarpMasterRepeat - first);
        if (_options.GarpMasterDelay > TimeSpan.Zero && _options.GarpMasterRepeat > 0)
        {
            _garpDelayTimer.Arm(_options.GarpMasterDelay);
        }

        if (_options.GarpMasterRefresh > TimeSpan.Zero && _options.GarpMasterRefreshRepeat > 0)
        {
            _garpRefreshTimer.Arm(_options.GarpMasterRefresh);
        }

        _advertTimer.Arm(_advertInterval);
    }

    /// <summary>
    /// Leaves the current state releasing what we hold: a master sends one priority-0 advert (so a backup takes
    /// over after its skew time) and then removes its VIPs; a backup drops leftover VIPs it was keeping.
    /// </summary>
    private void ReleaseAndEnter(VrrpState to, VrrpTransitionReason reason, string detail)
    {
        if (_state == VrrpState.Master)
        {
            VrrpLog.PriorityZeroSent(_logger, _options.Name);
            SendAdvert(VrrpAdvertisement.PriorityRelease);
            CancelMasterTimers();
            RemoveAddresses();
        }
        else if (_holdingLeftoverAddresses)
        {
            RemoveAddresses();
        }

        _holdingLeftoverAddresses = false;
        _masterDownTimer.Cancel();
        _masterReleased = false;
        _preemptDelayStart = null;
        if (to == VrrpState.Backup)
        {
            _masterDownTimer.Arm(MasterDownInterval(_effectivePriority));
        }

        EnterState(to, reason, detail);
    }

    /// <summary>Leaving Fault: Backup with the full timer, as after a start; the owner becomes master at once.</summary>
    private void LeaveFault(VrrpTransitionReason reason, string detail)
    {
        _masterAdvertInterval = _advertInterval;
        if (_options.Priority == VrrpAdvertisement.PriorityOwner)
        {
            EnterMaster(reason, detail);
        }
        else
        {
            EnterBackup(reason, detail);
        }
    }

    private void EnterState(VrrpState to, VrrpTransitionReason reason, string detail)
    {
        var from = _state;
        if (from == VrrpState.Master && to != VrrpState.Master)
        {
            LeavingMaster(to, reason);
        }

        var change = new VrrpStateChange(from, to, reason, detail);
        // Recorded before the state itself: whoever reads the new state (status) then finds the transition to it.
        _lastTransition = new VrrpStampedStateChange(change, _time.GetUtcNow());
        _state = to;
        SyncWantsBackup();
        // A master resumed by its successor did not change state for anyone but this process: counted, the metrics
        // (carried across the upgrade) would show a master transition per upgrade.
        if (reason != VrrpTransitionReason.HandedOver)
        {
            Counters.Transition(from, to);
        }

        Array.Clear(_dropLogTimes);
        VrrpLog.Transition(_logger, _options.Name, from, to, reason, detail);
        _pendingChanges.Enqueue(change);
    }
}
