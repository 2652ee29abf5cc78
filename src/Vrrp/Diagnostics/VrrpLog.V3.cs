using System.Net;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Diagnostics;

// VRRPv3 events: 1080-1089.
internal static partial class VrrpLog
{
    [LoggerMessage(EventId = 1080, EventName = "VrrpStartingV3", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: starting VRRPv3 on {Interface}, VRID {VirtualRouterId}, priority {Priority}, advert interval {IntervalMs} ms, source {Source}, {Mode}")]
    public static partial void StartingV3(ILogger logger, string instance, string @interface, byte virtualRouterId, byte priority, double intervalMs, IPAddress source, string mode);

    [LoggerMessage(EventId = 1081, EventName = "VrrpMasterIntervalAdopted", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: adopting the master's advert interval, {OldMs} ms -> {NewMs} ms (RFC 5798 §6.4.2)")]
    public static partial void MasterIntervalAdopted(ILogger logger, string instance, double oldMs, double newMs);
}
