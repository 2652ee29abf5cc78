using Microsoft.Extensions.Logging;

namespace CloudCoreLb.HealthCheck;

/// <summary>Source-generated log messages of the health-check component. EventIds 3000-3199, stable.</summary>
internal static partial class HealthCheckLog
{
    [LoggerMessage(EventId = 3000, EventName = "CheckResultChanged", Level = LogLevel.Information,
        Message = "Check {Check}: {Status} (was {PreviousStatus}) {Detail}, health {Health}/{Max}")]
    public static partial void CheckResultChanged(
        ILogger logger, string check, string status, string previousStatus, string? detail, int health, int max);

    [LoggerMessage(EventId = 3001, EventName = "CheckUp", Level = LogLevel.Information,
        Message = "Check {Check} is UP after {Rise} consecutive successes ({Status})")]
    public static partial void CheckUp(ILogger logger, string check, int rise, string status);

    [LoggerMessage(EventId = 3002, EventName = "CheckDown", Level = LogLevel.Warning,
        Message = "Check {Check} is DOWN after {Fall} consecutive failures ({Status}: {Detail})")]
    public static partial void CheckDown(ILogger logger, string check, int fall, string status, string? detail);

    [LoggerMessage(EventId = 3003, EventName = "CheckRunSkipped", Level = LogLevel.Warning,
        Message = "Check {Check}: run skipped, the previous run is still going ({Detail})")]
    public static partial void CheckRunSkipped(ILogger logger, string check, string? detail);

    [LoggerMessage(EventId = 3004, EventName = "CheckSubscriberFailed", Level = LogLevel.Error,
        Message = "Check {Check}: an event handler threw; the check keeps running")]
    public static partial void CheckSubscriberFailed(ILogger logger, string check, Exception exception);

    [LoggerMessage(EventId = 3010, EventName = "PriorityChanged", Level = LogLevel.Information,
        Message = "Tracked health changed: priority delta {Delta} (was {PreviousDelta}), fault {Fault} (was {PreviousFault})")]
    public static partial void PriorityChanged(ILogger logger, int delta, int previousDelta, bool fault, bool previousFault);

    [LoggerMessage(EventId = 3020, EventName = "ScriptTimedOut", Level = LogLevel.Warning,
        Message = "Script {Script} (pid {Pid}) timed out; SIGTERM sent to its process group")]
    public static partial void ScriptTimedOut(ILogger logger, string script, int pid);

    [LoggerMessage(EventId = 3021, EventName = "ScriptKilled", Level = LogLevel.Warning,
        Message = "Script {Script} (process group {Pid}) still alive {Grace} after SIGTERM; SIGKILL sent")]
    public static partial void ScriptKilled(ILogger logger, string script, int pid, TimeSpan grace);

    [LoggerMessage(EventId = 3022, EventName = "ScriptStartFailed", Level = LogLevel.Error,
        Message = "Script {Script} could not be started")]
    public static partial void ScriptStartFailed(ILogger logger, string script, Exception exception);
}
