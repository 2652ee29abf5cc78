using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

internal sealed partial class VrrpRouter
{
    private readonly DeadlineTimer masterDownTimer;
    private readonly DeadlineTimer advertTimer;
    private readonly DeadlineTimer garpDelayTimer;
    private readonly DeadlineTimer garpRefreshTimer;
    private readonly DeadlineTimer lowerPriorityGarpTimer;

    /// <summary>
    /// RFC 3768 §6.1 Skew_Time = (256 - Priority) / 256 s, independent of the advert interval in v2, truncated to
    /// whole microseconds as keepalived computes it (TIMER_HZ 1 000 000): 613 281 us at priority 99.
    /// </summary>
    internal static TimeSpan Skew(byte priority) =>
        TimeSpan.FromTicks((256 - priority) * 1_000_000L / 256 * TimeSpan.TicksPerMicrosecond);

    /// <summary>Master_Down_Interval = down_timer_adverts x Master_Adver_Interval + Skew_Time (RFC 3768 §6.1).</summary>
    internal TimeSpan MasterDownInterval(byte priority) => (options.DownTimerAdverts * advertInterval) + Skew(priority);

    private void OnTimerTick(DeadlineTimer timer)
    {
        lock (gate)
        {
            if (disposed || timer.Deadline is not { } deadline)
            {
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
        if (state != VrrpState.Backup)
        {
            return;
        }

        Counters.MasterDownExpired();
        if (masterReleased)
        {
            EnterMaster(VrrpTransitionReason.MasterReleased, $"master {lastMasterAddress} sent priority 0, skew {FormatSeconds(Skew(effectivePriority))} elapsed");
        }
        else
        {
            EnterMaster(VrrpTransitionReason.MasterDownTimerExpired, $"no advert within {FormatSeconds(MasterDownInterval(effectivePriority))}");
        }
    }

    private void OnAdvertTimer(TimeSpan deadline)
    {
        if (state != VrrpState.Master)
        {
            return;
        }

        SendAdvert(effectivePriority);

        // From the previous deadline, not from now, so a late callback does not make the schedule drift.
        advertTimer.ArmAt(deadline + advertInterval);
    }

    private void OnGarpDelayTimer()
    {
        if (state == VrrpState.Master)
        {
            SendGarpBurst(options.GarpMasterRepeat);
        }
    }

    private void OnGarpRefreshTimer(TimeSpan deadline)
    {
        if (state != VrrpState.Master)
        {
            return;
        }

        SendGarpBurst(options.GarpMasterRefreshRepeat);
        garpRefreshTimer.ArmAt(deadline + options.GarpMasterRefresh);
    }

    private void OnLowerPriorityGarpTimer()
    {
        if (state == VrrpState.Master)
        {
            SendGarpBurst(options.GarpLowerPriorityRepeat);
        }
    }

    private void CancelMasterTimers()
    {
        advertTimer.Cancel();
        garpDelayTimer.Cancel();
        garpRefreshTimer.Cancel();
        lowerPriorityGarpTimer.Cancel();
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
        private static readonly TimeSpan MinimumDue = TimeSpan.FromTicks(1);

        private readonly VrrpRouter router;
        private readonly ITimer timer;

        public DeadlineTimer(VrrpRouter router, Action<VrrpRouter, TimeSpan> expired)
        {
            this.router = router;
            Expired = expired;
            timer = router.time.CreateTimer(static s => ((DeadlineTimer)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public Action<VrrpRouter, TimeSpan> Expired { get; }

        public TimeSpan? Deadline { get; private set; }

        public void Arm(TimeSpan due) => ArmAt(router.Now + due);

        public void ArmAt(TimeSpan deadline)
        {
            Deadline = deadline;
            Reschedule(deadline - router.Now);
        }

        public void Reschedule(TimeSpan due) => timer.Change(due < MinimumDue ? MinimumDue : due, Timeout.InfiniteTimeSpan);

        public void Cancel()
        {
            Deadline = null;
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public void Clear() => Deadline = null;

        public void Dispose()
        {
            Deadline = null;
            timer.Dispose();
        }

        private void Tick() => router.OnTimerTick(this);
    }
}
