using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Planned handover and hold (<c>cloudcore-lb vrrp handover|hold|release</c>). A held router runs at priority 1, the
/// lowest a router can win with: it follows any other master and becomes master only when nobody else advertises
/// for its (longest) master-down interval, so a held node never leaves the VIP unserved. A handover is a hold on the
/// master that also gives the router away without a moment with no holder: it advertises priority 0, which every
/// backup answers by taking over after its own skew time (RFC 3768 §6.4.2; the best backup's skew is shortest, so it
/// wins), but unlike a release (<see cref="Stop"/>) it keeps the VIPs and answers ARP until the successor's first
/// advert arrives, then steps down to backup and removes them. Lower-priority adverts would not do: a preempting
/// backup only takes over after the whole master-down interval, and a non-preempting one never does. If nobody
/// takes over within the timeout the router restores its priority and stays master.
/// </summary>
internal sealed partial class VrrpRouter
{
    private volatile bool _held;
    private bool _handingOver;
    private TaskCompletionSource<VrrpHandoverOutcome>? _handover;
    private DeadlineTimer? _handoverTimer;

    /// <summary>True while held (by <see cref="Hold"/> or a completed handover) until <see cref="Release"/>.</summary>
    public bool IsHeld => _held;

    /// <summary>
    /// Keeps this router from taking the VIP: priority 1 until <see cref="Release"/>. A master advertises the lower
    /// priority at once, so a preempting backup takes over after its master-down interval; use
    /// <see cref="HandOver"/> to move the VIP now. Returns false for an address owner (priority 255), which RFC 3768
    /// always makes master.
    /// </summary>
    public bool Hold()
    {
        if (_options.Priority == VrrpAdvertisement.PriorityOwner)
        {
            return false;
        }

        lock (_gate)
        {
            if (_disposed || _held)
            {
                return !_disposed;
            }

            _held = true;
            VrrpLog.Held(_logger, _options.Name);
            ApplyPriority();
        }

        RaiseStateChanges();
        return true;
    }

    /// <summary>Restores the configured (tracked) priority; a handover in progress is called off.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_disposed || !_held)
            {
                return;
            }

            _held = false;
            VrrpLog.HoldReleased(_logger, _options.Name);
            if (_handingOver)
            {
                EndHandover(new VrrpHandoverOutcome(false, null, "released before another router took over; still master"));
            }

            ApplyPriority();
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Hands the VIP to the best backup (see the type's remarks) and completes when it took over, or when
    /// <paramref name="timeout"/> passed without an advert from another router (priority restored, still master).
    /// Completes at once when this router is not master.
    /// </summary>
    public Task<VrrpHandoverOutcome> HandOver(TimeSpan timeout)
    {
        if (_options.Priority == VrrpAdvertisement.PriorityOwner)
        {
            return Task.FromResult(new VrrpHandoverOutcome(false, null, "an address owner (priority 255) cannot hand over"));
        }

        lock (_gate)
        {
            if (_disposed || _state != VrrpState.Master)
            {
                return Task.FromResult(new VrrpHandoverOutcome(false, null, $"not master (state {_state})"));
            }

            if (_handover is { } running)
            {
                return running.Task;
            }

            _held = true;
            _handingOver = true;
            _handover = new TaskCompletionSource<VrrpHandoverOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            _handoverTimer ??= new DeadlineTimer(this, static (r, _) => r.OnHandoverTimeout());
            _handoverTimer.Arm(timeout);
            _effectivePriority = ComputeEffectivePriority();
            VrrpLog.HandoverStarted(_logger, _options.Name, timeout.TotalMilliseconds);
            SendAdvert(VrrpAdvertisement.PriorityRelease);
            return _handover.Task;
        }
    }

    /// <summary>The priority-0 advert of a handover in progress, else the effective priority.</summary>
    private byte AdvertPriority => _handingOver ? VrrpAdvertisement.PriorityRelease : _effectivePriority;

    /// <summary>Master side of a handover: any real advert from another router is the successor's.</summary>
    private bool TryCompleteHandover(UInt128 sender, byte priority)
    {
        if (!_handingOver)
        {
            return false;
        }

        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            // Another master released too: ours says the same, so whoever backs up takes over from both.
            SendAdvert(VrrpAdvertisement.PriorityRelease);
            return true;
        }

        var successor = AddressOf(sender);
        RecordMaster(sender, priority);
        EnterBackup(VrrpTransitionReason.PlannedHandover, $"{successor} took over with priority {priority}");
        return true;
    }

    private void OnHandoverTimeout()
    {
        if (!_handingOver)
        {
            return;
        }

        _held = false;
        EndHandover(new VrrpHandoverOutcome(false, null, "no other router took over; priority restored, still master"));
        VrrpLog.HandoverTimedOut(_logger, _options.Name);
        ApplyPriority();
    }

    /// <summary>Under the lock, on every way out of Master: completes a handover in progress.</summary>
    private void LeavingMaster(VrrpState to, VrrpTransitionReason reason)
    {
        if (!_handingOver)
        {
            return;
        }

        var tookOver = reason == VrrpTransitionReason.PlannedHandover;
        EndHandover(new VrrpHandoverOutcome(
            tookOver,
            tookOver ? _lastMasterAddress : null,
            tookOver ? $"{_lastMasterAddress} took over with priority {_lastMasterPriority}; this node is held as backup" : $"left master for {to} ({reason}) before another router took over"));
    }

    /// <summary>Recomputes the effective priority and lets the peers know, as a tracking change does.</summary>
    private void ApplyPriority()
    {
        var old = _effectivePriority;
        var updated = UpdatePriority();
        if (updated != old && _state != VrrpState.Initialize)
        {
            PriorityChanged(old, updated);
        }
    }

    private void EndHandover(VrrpHandoverOutcome outcome)
    {
        _handingOver = false;
        _handoverTimer?.Cancel();
        var handover = _handover;
        _handover = null;
        handover?.TrySetResult(outcome);
    }

    /// <summary>The held node's priority when it takes a VIP nobody else holds.</summary>
    private static byte HeldPriority => 1;
}
