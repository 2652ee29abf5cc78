using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Control;

/// <summary>Log messages of the control socket and reloads (event ids 5200-5299).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 5200, EventName = "ControlListening", Level = LogLevel.Information, Message = "control socket listening on {Path}")]
    public static partial void Listening(ILogger logger, string path);

    [LoggerMessage(EventId = 5201, EventName = "ControlListenFailed", Level = LogLevel.Error, Message = "control socket {Path} could not be opened; status and reload need it")]
    public static partial void ListenFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 5202, EventName = "ControlSocketInUse", Level = LogLevel.Error,
        Message = "control socket {Path} belongs to another running cloudcore-lb; status and reload will reach that one, not this")]
    public static partial void SocketInUse(ILogger logger, string path);

    [LoggerMessage(EventId = 5203, EventName = "ControlAcceptFailed", Level = LogLevel.Warning,
        Message = "control socket: accept failed with {Error}; retrying every 100 ms, the daemon goes on")]
    public static partial void AcceptFailed(ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 5210, EventName = "ReloadRequested", Level = LogLevel.Information, Message = "reload requested ({Trigger}): reading {Path}")]
    public static partial void ReloadRequested(ILogger logger, string trigger, string path);

    [LoggerMessage(EventId = 5211, EventName = "ReloadRejected", Level = LogLevel.Error, Message = "reload rejected, the running configuration stays: {Errors}")]
    public static partial void ReloadRejected(ILogger logger, string errors);

    [LoggerMessage(EventId = 5212, EventName = "ReloadApplied", Level = LogLevel.Information,
        Message = "reload applied: VRRP instances kept {Kept}, restarted {Restarted}, added {Added}, removed {Removed}; proxy {Proxy}")]
    public static partial void ReloadApplied(ILogger logger, int kept, int restarted, int added, int removed, string proxy);

    [LoggerMessage(EventId = 5213, EventName = "ReloadFailed", Level = LogLevel.Error, Message = "reload failed while applying; the previous proxy configuration stays")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5214, EventName = "ReloadInstancesFailed", Level = LogLevel.Error, Message = "reload applied except for these VRRP instances, which are not running: {Failures}")]
    public static partial void ReloadInstancesFailed(ILogger logger, string failures);

    [LoggerMessage(EventId = 5230, EventName = "AdminStateRequested", Level = LogLevel.Information, Message = "control socket: set {Target} to {State}")]
    public static partial void AdminStateRequested(ILogger logger, string target, CloudCoreLb.L4Proxy.ServerAdminState state);

    [LoggerMessage(EventId = 5231, EventName = "VrrpOperationRequested", Level = LogLevel.Information, Message = "control socket: vrrp {Operation} for {Instance}")]
    public static partial void VrrpOperationRequested(ILogger logger, string operation, string instance);
}
