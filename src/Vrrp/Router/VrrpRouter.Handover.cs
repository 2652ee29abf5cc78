using CloudCoreLb.Vrrp.Diagnostics;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Seamless upgrade (docs/design/upgrade.md): a master stays master across the process change. The old process
/// freezes the state machine (no timer fires, adverts are ignored) and hands its state and the deadline of its next
/// advert to the new one, which resumes there: no priority-0 advert, no VIP removed, no GARP burst, and the advert
/// schedule goes on as if one process had sent them all. A failed upgrade thaws the old one.
/// </summary>
internal sealed partial class VrrpRouter
{
    private bool _frozen;

    /// <summary>Freezes the state machine and says where a successor resumes.</summary>
    public VrrpResumePoint Freeze()
    {
        lock (_gate)
        {
            _frozen = true;
            var next = _state == VrrpState.Master && _advertTimer.Deadline is { } deadline ? ToTimestamp(deadline) : 0;
            return new VrrpResumePoint(_options.Name, _state, next, _held);
        }
    }

    /// <summary>
    /// Undoes <see cref="Freeze"/>: timers that came due meanwhile fire now, once (a periodic advert restarts its
    /// schedule from now instead of catching up with a burst).
    /// </summary>
    public void Thaw()
    {
        lock (_gate)
        {
            if (!_frozen || _disposed)
            {
                return;
            }

            _frozen = false;
            var now = Now;
            foreach (var timer in (ReadOnlySpan<DeadlineTimer>)[_masterDownTimer, _advertTimer, _garpDelayTimer, _garpRefreshTimer, _lowerPriorityGarpTimer])
            {
                if (timer.Deadline is { } deadline)
                {
                    timer.ArmAt(deadline < now ? now : deadline);
                }
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Starts where the previous process left off: a master (with its link up) goes on being master, its VIPs kept
    /// (re-added idempotently, so the VIP observer learns them) and its next advert at the previous one's deadline;
    /// any other state starts as <see cref="Start"/> does.
    /// </summary>
    public void Resume(VrrpResumePoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Held)
        {
            _ = Hold();
        }

        if (!TryResumeAsMaster(point))
        {
            Start();
            return;
        }

        RaiseStateChanges();
    }

    private bool TryResumeAsMaster(VrrpResumePoint point)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (point.State != VrrpState.Master || !_linkUp || _state != VrrpState.Initialize)
            {
                return false;
            }

            _effectivePriority = ComputeEffectivePriority();
            EnterState(VrrpState.Master, VrrpTransitionReason.HandedOver, "taken over from the previous process");
            RecordMaster(_source, _effectivePriority);
            AddAddresses();
            _holdingLeftoverAddresses = false;
            if (_options.GarpMasterRefresh > TimeSpan.Zero && _options.GarpMasterRefreshRepeat > 0)
            {
                _garpRefreshTimer.Arm(_options.GarpMasterRefresh);
            }

            var due = point.NextAdvertTimestamp == 0 ? Now : FromTimestamp(point.NextAdvertTimestamp);
            // The previous process's last advert is ours to account for until we send one (crash-recovery records).
            _lastAdvertTimestamp = ToTimestamp(due - _advertInterval);
            VrrpLog.ResumedAsMaster(_logger, _options.Name, (due - Now).TotalMilliseconds);
            _advertTimer.ArmAt(due);
            return true;
        }
    }

    private long ToTimestamp(TimeSpan routerTime) => _originTimestamp + (long)(routerTime.TotalSeconds * _time.TimestampFrequency);

    private TimeSpan FromTimestamp(long timestamp) => TimeSpan.FromSeconds((double)(timestamp - _originTimestamp) / _time.TimestampFrequency);
}
