using System.Net;
using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Diagnostics;

/// <summary>
/// Source-generated log messages of the VRRP core (codec, validation, state machine). Event ids 1000-1199 are
/// reserved for this class; ids and names are stable (they are what operators grep and alert on), so a removed
/// message keeps its id reserved. The authentication password is never an argument of any message.
/// </summary>
internal static partial class VrrpLog
{
    [LoggerMessage(EventId = 1000, EventName = "VrrpStarting", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: starting on {Interface}, VRID {VirtualRouterId}, priority {Priority}, advert interval {IntervalSeconds} s, source {Source}, {Mode}")]
    public static partial void Starting(ILogger logger, string instance, string @interface, byte virtualRouterId, byte priority, int intervalSeconds, IPAddress source, string mode);

    [LoggerMessage(EventId = 1001, EventName = "VrrpStateTransition", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: {From} -> {To} ({Reason}: {Detail})")]
    public static partial void Transition(ILogger logger, string instance, VrrpState from, VrrpState to, VrrpTransitionReason reason, string detail);

    [LoggerMessage(EventId = 1002, EventName = "VrrpConfigurationFault", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: configuration mismatch with a peer, adverts dropped and both nodes may hold the VIP: {Fault}")]
    public static partial void ConfigurationFault(ILogger logger, string instance, string fault);

    [LoggerMessage(EventId = 1003, EventName = "VrrpConfigurationFaultCleared", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: configuration mismatch cleared, valid advert from {Source}")]
    public static partial void ConfigurationFaultCleared(ILogger logger, string instance, IPAddress source);

    [LoggerMessage(EventId = 1004, EventName = "VrrpAdvertDropped", Level = LogLevel.Warning,
        Message = "VRRP instance {Instance}: dropped datagram from {Source}: {Reason} (further drops of this kind are logged at most once a minute)")]
    public static partial void AdvertDropped(ILogger logger, string instance, IPAddress source, VrrpDropReason reason);

    [LoggerMessage(EventId = 1005, EventName = "VrrpUnknownVirtualRouterId", Level = LogLevel.Debug,
        Message = "VRRP instance {Instance}: ignored advert for VRID {VirtualRouterId}")]
    public static partial void UnknownVirtualRouterId(ILogger logger, string instance, byte virtualRouterId);

    [LoggerMessage(EventId = 1006, EventName = "VrrpLowerPriorityDiscarded", Level = LogLevel.Debug,
        Message = "VRRP instance {Instance}: received lower priority ({Priority}) advert from {Source}, ours {OurPriority}, discarding")]
    public static partial void LowerPriorityDiscarded(ILogger logger, string instance, byte priority, IPAddress source, byte ourPriority);

    [LoggerMessage(EventId = 1007, EventName = "VrrpForcingNewElection", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: received advert from {Source} with lower priority {Priority}, ours {OurPriority}, forcing new election")]
    public static partial void ForcingNewElection(ILogger logger, string instance, IPAddress source, byte priority, byte ourPriority);

    [LoggerMessage(EventId = 1008, EventName = "VrrpPriorityZeroReceived", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: master {Source} released the router (priority 0)")]
    public static partial void PriorityZeroReceived(ILogger logger, string instance, IPAddress source);

    [LoggerMessage(EventId = 1009, EventName = "VrrpEffectivePriorityChanged", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: effective priority {OldPriority} -> {NewPriority}")]
    public static partial void EffectivePriorityChanged(ILogger logger, string instance, byte oldPriority, byte newPriority);

    [LoggerMessage(EventId = 1010, EventName = "VrrpLeftoverAddressesKept", Level = LogLevel.Warning,
        Message = "VRRP instance {Instance}: virtual addresses already present at start (previous crash?), kept while waiting for a master (keepalived #2647)")]
    public static partial void LeftoverAddressesKept(ILogger logger, string instance);

    [LoggerMessage(EventId = 1011, EventName = "VrrpLeftoverAddressesRemoved", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: master {Source} (priority {Priority}) heard, leftover virtual addresses removed")]
    public static partial void LeftoverAddressesRemoved(ILogger logger, string instance, IPAddress source, byte priority);

    [LoggerMessage(EventId = 1012, EventName = "VrrpSendFailed", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: sending an advert failed")]
    public static partial void SendFailed(ILogger logger, string instance, Exception exception);

    [LoggerMessage(EventId = 1013, EventName = "VrrpAddressOperationFailed", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: {Operation} of virtual address {Address} failed")]
    public static partial void AddressOperationFailed(ILogger logger, string instance, string operation, VirtualAddress address, Exception exception);

    [LoggerMessage(EventId = 1014, EventName = "VrrpGarpFailed", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: gratuitous ARP for {Address} failed")]
    public static partial void GarpFailed(ILogger logger, string instance, IPAddress address, Exception exception);

    [LoggerMessage(EventId = 1015, EventName = "VrrpStateChangedHandlerFailed", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: a StateChanged handler threw")]
    public static partial void StateChangedHandlerFailed(ILogger logger, string instance, Exception exception);

    [LoggerMessage(EventId = 1016, EventName = "VrrpAddressRemovedExternally", Level = LogLevel.Warning,
        Message = "VRRP instance {Instance}: virtual address {Address} was deleted from the interface while master, releasing with priority 0")]
    public static partial void AddressRemovedExternally(ILogger logger, string instance, IPAddress address);

    [LoggerMessage(EventId = 1017, EventName = "VrrpPriorityZeroSent", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: releasing the router with a priority-0 advert")]
    public static partial void PriorityZeroSent(ILogger logger, string instance);

    [LoggerMessage(EventId = 1018, EventName = "VrrpResumedAsMaster", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: master taken over from the previous process, next advert in {DueMs:F0} ms")]
    public static partial void ResumedAsMaster(ILogger logger, string instance, double dueMs);

    [LoggerMessage(EventId = 1040, EventName = "VrrpHeld", Level = LogLevel.Warning,
        Message = "VRRP instance {Instance}: held by the operator at priority 1; it takes the VIP only if no other router advertises, until 'vrrp release'")]
    public static partial void Held(ILogger logger, string instance);

    [LoggerMessage(EventId = 1041, EventName = "VrrpHoldReleased", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: hold released, configured priority restored")]
    public static partial void HoldReleased(ILogger logger, string instance);

    [LoggerMessage(EventId = 1042, EventName = "VrrpHandoverStarted", Level = LogLevel.Warning,
        Message = "VRRP instance {Instance}: planned handover, advertising priority 0 and keeping the VIP until another router's advert arrives (timeout {TimeoutMs:F0} ms)")]
    public static partial void HandoverStarted(ILogger logger, string instance, double timeoutMs);

    [LoggerMessage(EventId = 1043, EventName = "VrrpHandoverTimedOut", Level = LogLevel.Error,
        Message = "VRRP instance {Instance}: planned handover timed out, no other router took over; priority restored, still master")]
    public static partial void HandoverTimedOut(ILogger logger, string instance);

    [LoggerMessage(EventId = 1085, EventName = "VrrpSyncGroupWaiting", Level = LogLevel.Information,
        Message = "VRRP instance {Instance}: master-down timer expired, staying backup until every member of sync group {Group} is ready to become master")]
    public static partial void SyncGroupWaiting(ILogger logger, string instance, string group);

    [LoggerMessage(EventId = 1086, EventName = "VrrpSyncGroupSyncing", Level = LogLevel.Information,
        Message = "VRRP sync group {Group}: {Instance} went from {From} to {To} ({Reason}); syncing the other members")]
    public static partial void SyncGroupSyncing(ILogger logger, string group, string instance, VrrpState from, VrrpState to, VrrpTransitionReason reason);

    [LoggerMessage(EventId = 1087, EventName = "VrrpSyncGroupFormed", Level = LogLevel.Information,
        Message = "VRRP sync group {Group}: instances {Instances} change state together")]
    public static partial void SyncGroupFormed(ILogger logger, string group, string instances);
}
