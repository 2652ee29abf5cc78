using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy;

/// <summary>Every log line of the L4 proxy. EventIds 2000-2299 are this component's; names are stable.</summary>
internal static partial class L4ProxyLog
{
    [LoggerMessage(EventId = 2000, EventName = "ProxyStarted", Level = LogLevel.Information,
        Message = "L4 proxy started: {Frontends} frontends, {Backends} backends, global maxconn {MaxConnections}")]
    public static partial void ProxyStarted(ILogger logger, int frontends, int backends, int maxConnections);

    [LoggerMessage(EventId = 2001, EventName = "ProxyStopping", Level = LogLevel.Information,
        Message = "L4 proxy stopping: {Active} sessions open, grace {GraceMs} ms")]
    public static partial void ProxyStopping(ILogger logger, int active, double graceMs);

    [LoggerMessage(EventId = 2002, EventName = "ProxyStopped", Level = LogLevel.Information,
        Message = "L4 proxy stopped; {Aborted} sessions aborted")]
    public static partial void ProxyStopped(ILogger logger, int aborted);

    [LoggerMessage(EventId = 2003, EventName = "ProxyReloaded", Level = LogLevel.Information,
        Message = "L4 proxy reloaded: {Frontends} frontends, {Backends} backends; {Active} established sessions kept")]
    public static partial void ProxyReloaded(ILogger logger, int frontends, int backends, int active);

    [LoggerMessage(EventId = 2010, EventName = "FrontendListening", Level = LogLevel.Information,
        Message = "Frontend {Frontend} listening on {EndPoint} -> backend {Backend}")]
    public static partial void FrontendListening(ILogger logger, string frontend, IPEndPoint endPoint, string backend);

    [LoggerMessage(EventId = 2011, EventName = "FrontendClosed", Level = LogLevel.Information,
        Message = "Frontend {Frontend} stopped listening")]
    public static partial void FrontendClosed(ILogger logger, string frontend);

    [LoggerMessage(EventId = 2012, EventName = "ListenerPaused", Level = LogLevel.Warning,
        Message = "Frontend {Frontend} reached its {Limit} connection limit; new connections wait in the backlog")]
    public static partial void ListenerPaused(ILogger logger, string frontend, string limit);

    [LoggerMessage(EventId = 2013, EventName = "ListenerResumed", Level = LogLevel.Information,
        Message = "Frontend {Frontend} accepting again")]
    public static partial void ListenerResumed(ILogger logger, string frontend);

    [LoggerMessage(EventId = 2014, EventName = "AcceptFailed", Level = LogLevel.Error,
        Message = "Frontend {Frontend}: accept failed with {Error}; retrying")]
    public static partial void AcceptFailed(ILogger logger, string frontend, SocketError error);

    [LoggerMessage(EventId = 2015, EventName = "ListenerRegistrationFailed", Level = LogLevel.Error,
        Message = "Frontend {Frontend}: epoll_ctl on the listening socket failed with {Error}")]
    public static partial void ListenerRegistrationFailed(ILogger logger, string frontend, SocketError error);

    [LoggerMessage(EventId = 2016, EventName = "DescriptorsExhausted", Level = LogLevel.Warning,
        Message = "Frontend {Frontend}: out of file descriptors ({Reason}, {Open} sessions open); accepting paused, new connections wait in the backlog")]
    public static partial void DescriptorsExhausted(ILogger logger, string frontend, string reason, int open);

    [LoggerMessage(EventId = 2017, EventName = "DescriptorsAvailable", Level = LogLevel.Information,
        Message = "Frontend {Frontend}: file descriptors available again after {PausedMs} ms ({Retries} accept retries); accepting again")]
    public static partial void DescriptorsAvailable(ILogger logger, string frontend, double pausedMs, int retries);

    [LoggerMessage(EventId = 2019, EventName = "DescriptorLimitLow", Level = LogLevel.Warning,
        Message = "The descriptor limit ({Limit}, hard limit {Hard}) holds about {Fits} sessions, fewer than the {Sessions} configured: accepting pauses there; raise LimitNOFILE (the unit sets 1048576) or ulimit -n")]
    public static partial void DescriptorLimitLow(ILogger logger, ulong limit, ulong hard, long fits, int sessions);

    [LoggerMessage(EventId = 2020, EventName = "SessionEstablished", Level = LogLevel.Debug,
        Message = "{Frontend}: {Client} -> {Server} connected after {Retries} retries")]
    public static partial void SessionEstablished(ILogger logger, string frontend, IPEndPoint? client, string server, int retries);

    [LoggerMessage(EventId = 2021, EventName = "SessionClosed", Level = LogLevel.Debug,
        Message = "{Frontend}: {Client} -> {Server} closed: {Reason} after {DurationMs} ms")]
    public static partial void SessionClosed(ILogger logger, string frontend, IPEndPoint? client, string server, CloseReason reason, double durationMs);

    [LoggerMessage(EventId = 2022, EventName = "SessionFailed", Level = LogLevel.Error,
        Message = "{Frontend}: session of {Client} failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, string frontend, IPEndPoint? client, Exception exception);

    [LoggerMessage(EventId = 2023, EventName = "ConnectAttemptFailed", Level = LogLevel.Debug,
        Message = "{Frontend}: {Client} -> {Server} connect attempt {Attempt} failed: {Failure}")]
    public static partial void ConnectAttemptFailed(ILogger logger, string frontend, IPEndPoint? client, string server, ConnectFailure failure, int attempt);

    [LoggerMessage(EventId = 2024, EventName = "EventLoopFailed", Level = LogLevel.Error,
        Message = "Event loop error (the loop keeps running)")]
    public static partial void EventLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2030, EventName = "ServerUp", Level = LogLevel.Warning,
        Message = "Server {Server} is UP ({Reason}); {Usable} usable servers in backend {Backend}")]
    public static partial void ServerUp(ILogger logger, string server, string reason, int usable, string backend);

    [LoggerMessage(EventId = 2031, EventName = "ServerDown", Level = LogLevel.Warning,
        Message = "Server {Server} is DOWN ({Reason}); {Usable} usable servers in backend {Backend}")]
    public static partial void ServerDown(ILogger logger, string server, string reason, int usable, string backend);

    [LoggerMessage(EventId = 2032, EventName = "BackendHasNoServer", Level = LogLevel.Error,
        Message = "Backend {Backend} has no server available")]
    public static partial void BackendHasNoServer(ILogger logger, string backend);

    [LoggerMessage(EventId = 2033, EventName = "SessionsShutDown", Level = LogLevel.Warning,
        Message = "Server {Server} marked down: {Count} sessions shut down (on-marked-down shutdown-sessions)")]
    public static partial void SessionsShutDown(ILogger logger, string server, int count);

    [LoggerMessage(EventId = 2034, EventName = "CheckCompleted", Level = LogLevel.Trace,
        Message = "Check of {Server}: {Status} {Detail} in {DurationMs} ms, health {Health}")]
    public static partial void CheckCompleted(ILogger logger, string server, string status, string? detail, double durationMs, int health);

    [LoggerMessage(EventId = 2040, EventName = "SessionsFrozen", Level = LogLevel.Information,
        Message = "Upgrade: {Sessions} sessions and {Listeners} listeners frozen for the next process")]
    public static partial void SessionsFrozen(ILogger logger, int sessions, int listeners);

    [LoggerMessage(EventId = 2041, EventName = "SessionsThawed", Level = LogLevel.Warning,
        Message = "Upgrade abandoned: {Sessions} sessions and every listener carry on in this process")]
    public static partial void SessionsThawed(ILogger logger, int sessions);

    [LoggerMessage(EventId = 2042, EventName = "SessionsAdopted", Level = LogLevel.Information,
        Message = "Upgrade: {Adopted} sessions adopted from the previous process move bytes again")]
    public static partial void SessionsAdopted(ILogger logger, int adopted);

    [LoggerMessage(EventId = 2043, EventName = "InheritedListenerRefused", Level = LogLevel.Warning,
        Message = "Upgrade: frontend {Frontend} binds a new listener instead of the inherited one: {Reason}")]
    public static partial void InheritedListenerRefused(ILogger logger, string frontend, string reason);

    [LoggerMessage(EventId = 2050, EventName = "ServerAdminStateChanged", Level = LogLevel.Warning,
        Message = "Server {Server} set from {From} to {To} by the operator; {Active} sessions stay open. {Usable} usable servers in backend {Backend}")]
    public static partial void ServerAdminStateChanged(ILogger logger, string server, ServerAdminState from, ServerAdminState to, long active, int usable, string backend);
}
