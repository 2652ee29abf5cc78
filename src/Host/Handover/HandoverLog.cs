using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Handover;

internal static partial class HandoverLog
{
    [LoggerMessage(EventId = 5400, EventName = "UpgradeRequested", Level = LogLevel.Information,
        Message = "Upgrade requested ({Trigger}): starting the binary now on disk to take over")]
    public static partial void UpgradeRequested(ILogger logger, string trigger);

    [LoggerMessage(EventId = 5401, EventName = "SuccessorStarted", Level = LogLevel.Information,
        Message = "Upgrade: new process {Pid} started")]
    public static partial void SuccessorStarted(ILogger logger, int pid);

    [LoggerMessage(EventId = 5402, EventName = "HandedOver", Level = LogLevel.Information,
        Message = "Upgrade: handed over to pid {Pid} ({Version}): {Sessions} sessions, frozen for {FrozenMs:F0} ms; this process leaves")]
    public static partial void HandedOver(ILogger logger, int pid, string version, int sessions, double frozenMs);

    [LoggerMessage(EventId = 5403, EventName = "UpgradeFailed", Level = LogLevel.Error,
        Message = "Upgrade failed, this process goes on: {Reason}")]
    public static partial void UpgradeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5404, EventName = "TakingOver", Level = LogLevel.Information,
        Message = "Taking over from pid {Pid} ({Version}, generation {Generation}): {Sessions} sessions, {Descriptors} descriptors")]
    public static partial void TakingOver(ILogger logger, int pid, string version, int generation, int sessions, int descriptors);

    [LoggerMessage(EventId = 5405, EventName = "TookOver", Level = LogLevel.Information,
        Message = "Took over: {Adopted} sessions adopted, {Refused} refused; this process serves now")]
    public static partial void TookOver(ILogger logger, long adopted, long refused);

    [LoggerMessage(EventId = 5406, EventName = "TakeoverAbandoned", Level = LogLevel.Warning,
        Message = "Takeover abandoned, the previous process goes on: {Reason}")]
    public static partial void TakeoverAbandoned(ILogger logger, string reason);

    [LoggerMessage(EventId = 5407, EventName = "SessionsPrepared", Level = LogLevel.Information,
        Message = "Takeover: {Adopted} sessions adopted, waiting for the commit; refused: {Refused}")]
    public static partial void SessionsPrepared(ILogger logger, int adopted, string refused);

    [LoggerMessage(EventId = 5410, EventName = "CrashRecoveryOn", Level = LogLevel.Information,
        Message = "Crash recovery on: listeners and sessions older than {SessionAgeMs:F0} ms go to systemd's descriptor store (room for {Slots} sessions); VIPs leased")]
    public static partial void CrashRecoveryOn(ILogger logger, double sessionAgeMs, int slots);

    [LoggerMessage(EventId = 5411, EventName = "Recovering", Level = LogLevel.Warning,
        Message = "Restarted after a crash: systemd gave back {Descriptors} descriptors ({Names} names)")]
    public static partial void Recovering(ILogger logger, int descriptors, int names);

    [LoggerMessage(EventId = 5412, EventName = "Recovered", Level = LogLevel.Warning,
        Message = "Recovered after a crash: {Adopted} sessions resumed, closed: {Refused}; VRRP resumed as master: {Masters}")]
    public static partial void Recovered(ILogger logger, int adopted, string refused, string masters);

    [LoggerMessage(EventId = 5413, EventName = "RecoveryTooLate", Level = LogLevel.Warning,
        Message = "Recovered instance {Instance} last advertised {ElapsedMs:F0} ms ago, past the {BudgetMs:F0} ms a backup waits: starting as backup instead of master")]
    public static partial void RecoveryTooLate(ILogger logger, string instance, double elapsedMs, double budgetMs);

    [LoggerMessage(EventId = 5414, EventName = "StoreFailed", Level = LogLevel.Warning,
        Message = "The descriptor store refused {Name}: {Reason}")]
    public static partial void StoreFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 5415, EventName = "JournalUnreadable", Level = LogLevel.Warning,
        Message = "The crash journal systemd gave back is unusable ({Reason}): every stored session is closed")]
    public static partial void JournalUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5416, EventName = "RecoveryUnleased", Level = LogLevel.Warning,
        Message = "Recovered instance {Instance} advertises every {IntervalMs:F0} ms, too often for a VIP lease to outlast (its VIPs were released at the crash): starting as backup instead of master")]
    public static partial void RecoveryUnleased(ILogger logger, string instance, double intervalMs);
}
