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
    public static partial void TookOver(ILogger logger, int adopted, int refused);

    [LoggerMessage(EventId = 5406, EventName = "TakeoverAbandoned", Level = LogLevel.Warning,
        Message = "Takeover abandoned, the previous process goes on: {Reason}")]
    public static partial void TakeoverAbandoned(ILogger logger, string reason);
}
