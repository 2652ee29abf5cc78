namespace CloudCoreLb.Vrrp.Router;

internal sealed partial class VrrpRouter
{
    private readonly DeadlineTimer _masterDownTimer;
    private readonly DeadlineTimer _advertTimer;
    private readonly DeadlineTimer _garpDelayTimer;
    private readonly DeadlineTimer _garpRefreshTimer;
    private readonly DeadlineTimer _lowerPriorityGarpTimer;

    /// <summary>
    /// RFC 3768 §6.1 Skew_Time = (256 - Priority) / 256 s, independent of the advert interval in v2, truncated to
    /// whole microseconds as keepalived computes it (TIMER_HZ 1 000 000): 613 281 us at priority 99.
    /// </summary>
    internal static TimeSpan Skew(byte priority) =>
        TimeSpan.FromTicks((256 - priority) * 1_000_000L / 256 * TimeSpan.TicksPerMicrosecond);

    /// <summary>Master_Down_Interval = down_timer_adverts x Master_Adver_Interval + Skew_Time (RFC 3768 §6.1).</summary>
    internal TimeSpan MasterDownInterval(byte priority) => (_options.DownTimerAdverts * _masterAdvertInterval) + SkewTime(priority);

    private void OnTimerTick(DeadlineTimer timer)
    {
        lock (_gate)
        {
            if (_disposed || _frozen || timer.Deadline is not { } deadline)
            {
                // Frozen: the deadline stays, Thaw reschedules it.
                return;
            }

            // A callback can race a re-arm (it was queued before Change) or come early: only an expired deadline counts.
            var now = Now;
            if (now < deadline)
            {
                timer.Reschedule(deadline - now);
                return;
            }

            timer.Clear();
            timer.Expired(this, deadline);
        }

        RaiseStateChanges();
    }

    private void OnMasterDownTimer()
    {
        if (_state != VrrpState.Backup)
        {
            return;
        }

        Counters.MasterDownExpired();
        if (!SyncAllowsMaster())
        {
            return;
        }

        if (_masterReleased)
        {
            EnterMaster(VrrpTransitionReason.MasterReleased, $"master {_lastMasterAddress} sent priority 0, skew {FormatSeconds(SkewTime(_effectivePriority))} elapsed");
        }
        else
        {
            EnterMaster(VrrpTransitionReason.MasterDownTimerExpired, $"no advert within {FormatSeconds(MasterDownInterval(_effectivePriority))}");
        }
    }

    private void OnAdvertTimer(TimeSpan deadline)
    {
        if (_state != VrrpState.Master)
        {
            return;
        }

        SendAdvert(AdvertPriority);
        RenewAddresses();

        // From the previous deadline, not from now, so a late callback does not make the schedule drift; but a process
        // stalled for whole intervals (SIGSTOP, a VM pause) sends one advert on wake, not a burst to catch up.
        _advertTimer.ArmAt(NextDeadline(deadline, _advertInterval));
    }

    private void OnGarpDelayTimer()
    {
        if (_state == VrrpState.Master)
        {
            SendGarpBurst(_options.GarpMasterRepeat);
        }
    }

    private void OnGarpRefreshTimer(TimeSpan deadline)
    {
        if (_state != VrrpState.Master)
        {
            return;
        }

        SendGarpBurst(_options.GarpMasterRefreshRepeat);
        _garpRefreshTimer.ArmAt(NextDeadline(deadline, _options.GarpMasterRefresh));
    }

    /// <summary>One period after <paramref name="deadline"/>, or one period from now when that has already passed.</summary>
    private TimeSpan NextDeadline(TimeSpan deadline, TimeSpan period)
    {
        var next = deadline + period;
        var now = Now;
        return next > now ? next : now + period;
    }

    private void OnLowerPriorityGarpTimer()
    {
        if (_state == VrrpState.Master)
        {
            SendGarpBurst(_options.GarpLowerPriorityRepeat);
        }
    }

    private void CancelMasterTimers()
    {
        _advertTimer.Cancel();
        _garpDelayTimer.Cancel();
        _garpRefreshTimer.Cancel();
        _lowerPriorityGarpTimer.Cancel();
    }

    /// <summary>
    /// A one-shot <see cref="ITimer"/> with its deadline on the router's clock. The deadline is the truth: the
    /// callback re-checks it under the router lock, so a stale or early callback does nothing. Only touched under
    /// the router lock.
    /// </summary>
    private sealed class DeadlineTimer : IDisposable
    {
        // FakeTimeProvider runs a zero-due timer synchronously inside Change, which would re-enter the router in the
        // middle of a transition; the smallest positive due time keeps every expiry a separate, serialized event.
        private static readonly TimeSpan s_minimumDue = TimeSpan.FromTicks(1);

        private readonly VrrpRouter _router;
        private readonly ITimer _timer;

        public DeadlineTimer(VrrpRouter router, Action<VrrpRouter, TimeSpan> expired)
        {
            _router = router;
            Expired = expired;
            _timer = router._time.CreateTimer(static s => ((DeadlineTimer)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public Action<VrrpRouter, TimeSpan> Expired { get; }

        public TimeSpan? Deadline { get; private set; }

        public void Arm(TimeSpan due) => ArmAt(_router.Now + due);

        public void ArmAt(TimeSpan deadline)
        {
            Deadline = deadline;
            Reschedule(deadline - _router.Now);
        }

        public void Reschedule(TimeSpan due) => _timer.Change(due < s_minimumDue ? s_minimumDue : due, Timeout.InfiniteTimeSpan);

        public void Cancel()
        {
            Deadline = null;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public void Clear() => Deadline = null;

        public void Dispose()
        {
            Deadline = null;
            _timer.Dispose();
        }

        private void Tick() => _router.OnTimerTick(this);
    }
}
