using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Log messages of the host (event ids 5000-5199).</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 5000, EventName = "VrrpInstanceStarting", Level = LogLevel.Information,
        Message = "{Instance}: starting on {Interface}, virtual_router_id {Vrid}, priority {Priority}, source {Source}")]
    public static partial void InstanceStarting(ILogger logger, string instance, string @interface, int vrid, int priority, string source);

    [LoggerMessage(EventId = 5001, EventName = "VrrpInstanceStopped", Level = LogLevel.Information,
        Message = "{Instance}: stopped; adverts sent {Sent}, received {Received}, GARPs {Garps}, drops: {Drops}")]
    public static partial void InstanceStopped(ILogger logger, string instance, long sent, long received, long garps, string drops);

    [LoggerMessage(EventId = 5002, EventName = "VipGuardianStarted", Level = LogLevel.Debug, Message = "VIP guardian started as pid {Pid}")]
    public static partial void GuardianStarted(ILogger logger, int pid);

    [LoggerMessage(EventId = 5003, EventName = "VipGuardianFailed", Level = LogLevel.Warning,
        Message = "VIP guardian could not start; VIPs would stay after a crash until release-vips runs")]
    public static partial void GuardianFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5004, EventName = "VipGuardianLost", Level = LogLevel.Warning,
        Message = "VIP guardian is gone; after a crash the VIPs stay until release-vips runs (ExecStopPost under systemd)")]
    public static partial void GuardianLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5010, EventName = "NotifyFailed", Level = LogLevel.Warning, Message = "{Instance}: notify command '{Command}' exited {ExitCode}")]
    public static partial void NotifyFailed(ILogger logger, string instance, string command, int exitCode);

    [LoggerMessage(EventId = 5011, EventName = "NotifyTimedOut", Level = LogLevel.Warning, Message = "{Instance}: notify command '{Command}' killed after the timeout")]
    public static partial void NotifyTimedOut(ILogger logger, string instance, string command);

    [LoggerMessage(EventId = 5012, EventName = "NotifyStartFailed", Level = LogLevel.Error, Message = "{Instance}: notify command '{Command}' could not start")]
    public static partial void NotifyStartFailed(ILogger logger, string instance, string command, Exception exception);

    [LoggerMessage(EventId = 5013, EventName = "TrackingStarted", Level = LogLevel.Information, Message = "{Instance}: tracking {Check} ({Type}, weight {Weight})")]
    public static partial void TrackingStarted(ILogger logger, string instance, string check, string type, int weight);

    [LoggerMessage(EventId = 5014, EventName = "VrrpInstanceStartsHeld", Level = LogLevel.Warning,
        Message = "{Instance}: held at priority 1 since before this start ({File}); 'cloudcore-lb vrrp release' restores it")]
    public static partial void InstanceStartsHeld(ILogger logger, string instance, string file);

    [LoggerMessage(EventId = 5015, EventName = "HeldFileFailed", Level = LogLevel.Warning,
        Message = "cannot read or write the held instances in {File}; holds last only while this process runs")]
    public static partial void HeldFileFailed(ILogger logger, string file, Exception exception);

    [LoggerMessage(EventId = 5020, EventName = "DaemonFailed", Level = LogLevel.Critical, Message = "daemon failed")]
    public static partial void DaemonFailed(ILogger logger, Exception exception);
}
