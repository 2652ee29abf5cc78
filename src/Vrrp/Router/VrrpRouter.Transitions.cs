using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

internal sealed partial class VrrpRouter
{
    /// <summary>Backup with the full master-down timer; a master leaving for Backup removes its VIPs without a priority-0 advert.</summary>
    private void EnterBackup(VrrpTransitionReason reason, string detail)
    {
        if (state == VrrpState.Master)
        {
            CancelMasterTimers();
            RemoveAddresses();
        }

        masterReleased = false;
        preemptDelayStart = null;
        masterDownTimer.Arm(MasterDownInterval(effectivePriority));
        EnterState(VrrpState.Backup, reason, detail);
    }

    /// <summary>
    /// keepalived <c>vrrp_state_goto_master</c> order (vrrp.md §5.4): advert first so the old master steps down
    /// before we GARP, then VIPs, then the GARP burst, then the delayed burst, refresh and periodic adverts.
    /// </summary>
    private void EnterMaster(VrrpTransitionReason reason, string detail)
    {
        masterDownTimer.Cancel();
        masterReleased = false;
        preemptDelayStart = null;
        EnterState(VrrpState.Master, reason, detail);
        RecordMaster(source, effectivePriority);

        SendAdvert(effectivePriority);
        AddAddresses();
        holdingLeftoverAddresses = false;
        SendGarpBurst(options.GarpMasterRepeat);
        if (options.GarpMasterDelay > TimeSpan.Zero && options.GarpMasterRepeat > 0)
        {
            garpDelayTimer.Arm(options.GarpMasterDelay);
        }

        if (options.GarpMasterRefresh > TimeSpan.Zero && options.GarpMasterRefreshRepeat > 0)
        {
            garpRefreshTimer.Arm(options.GarpMasterRefresh);
        }

        advertTimer.Arm(advertInterval);
    }

    /// <summary>
    /// Leaves the current state releasing what we hold: a master sends one priority-0 advert (so a backup takes
    /// over after its skew time) and then removes its VIPs; a backup drops leftover VIPs it was keeping.
    /// </summary>
    private void ReleaseAndEnter(VrrpState to, VrrpTransitionReason reason, string detail)
    {
        if (state == VrrpState.Master)
        {
            VrrpLog.PriorityZeroSent(logger, options.Name);
            SendAdvert(VrrpAdvertisement.PriorityRelease);
            CancelMasterTimers();
            RemoveAddresses();
        }
        else if (holdingLeftoverAddresses)
        {
            RemoveAddresses();
        }

        holdingLeftoverAddresses = false;
        masterDownTimer.Cancel();
        masterReleased = false;
        preemptDelayStart = null;
        if (to == VrrpState.Backup)
        {
            masterDownTimer.Arm(MasterDownInterval(effectivePriority));
        }

        EnterState(to, reason, detail);
    }

    /// <summary>Leaving Fault: Backup with the full timer, as after a start; the owner becomes master at once.</summary>
    private void LeaveFault(VrrpTransitionReason reason, string detail)
    {
        if (options.Priority == VrrpAdvertisement.PriorityOwner)
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
        var from = state;
        state = to;
        Counters.Transition(from, to);
        Array.Clear(dropLogTimes);
        VrrpLog.Transition(logger, options.Name, from, to, reason, detail);
        pendingChanges.Enqueue(new VrrpStateChange(from, to, reason, detail));
    }
}
