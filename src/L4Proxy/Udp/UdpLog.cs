using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>Log events of UDP forwarding (ids 2170-2179).</summary>
internal static partial class UdpLog
{
    [LoggerMessage(EventId = 2170, EventName = "UdpFrontendListening", Level = LogLevel.Information,
        Message = "UDP frontend {Frontend} receiving on {EndPoint}, flows to backend {Backend}")]
    public static partial void Listening(ILogger logger, string frontend, IPEndPoint endPoint, string backend);

    [LoggerMessage(EventId = 2171, EventName = "UdpFrontendClosed", Level = LogLevel.Information,
        Message = "UDP frontend {Frontend} closed with {Flows} flows")]
    public static partial void Closed(ILogger logger, string frontend, int flows);

    [LoggerMessage(EventId = 2172, EventName = "UdpReceiveFailed", Level = LogLevel.Warning,
        Message = "UDP frontend {Frontend}: receive failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string frontend, SocketError error);

    [LoggerMessage(EventId = 2173, EventName = "UdpFlowRedispatched", Level = LogLevel.Debug,
        Message = "UDP frontend {Frontend}: flow {Client} leaves {Server}: {Reason}")]
    public static partial void FlowLeft(ILogger logger, string frontend, IPEndPoint client, string server, string reason);

    [LoggerMessage(EventId = 2174, EventName = "UdpFlowFailed", Level = LogLevel.Error,
        Message = "UDP frontend {Frontend}: flow {Client} failed; the flow is closed, the frontend carries on")]
    public static partial void FlowFailed(ILogger logger, string frontend, IPEndPoint client, Exception exception);

    [LoggerMessage(EventId = 2175, EventName = "UdpTableFull", Level = LogLevel.Warning,
        Message = "UDP frontend {Frontend}: new flows dropped, {Reason} ({Flows} flows); counted in drops")]
    public static partial void LimitReached(ILogger logger, string frontend, string reason, int flows);
}
