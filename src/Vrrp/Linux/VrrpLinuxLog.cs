using System.Net;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Log messages of the Linux VRRP components (raw transport, netlink VIP manager and link monitor, GARP sender).
/// Event ids 1200-1399 are reserved for this class; ids are stable and never reused.
/// </summary>
internal static partial class VrrpLinuxLog
{
    // 1200-1219: raw VRRP transport.
    [LoggerMessage(EventId = 1200, EventName = "TransportOpened", Level = LogLevel.Information,
        Message = "VRRP transport for {Instance} on {Interface} (ifindex {InterfaceIndex}) opened in {Mode} mode, source {Source}, sending to {Destinations}")]
    public static partial void TransportOpened(ILogger logger, string instance, string @interface, int interfaceIndex, string mode, IPAddress source, string destinations);

    [LoggerMessage(EventId = 1201, EventName = "TransportSendFailed", Level = LogLevel.Warning,
        Message = "Sending a VRRP advert for {Instance} on {Interface} to {Destination} failed: {SocketError}; further failures are logged at debug level until a send succeeds")]
    public static partial void TransportSendFailed(ILogger logger, string instance, string @interface, IPAddress destination, System.Net.Sockets.SocketError socketError);

    [LoggerMessage(EventId = 1202, EventName = "TransportSendFailedAgain", Level = LogLevel.Debug,
        Message = "Sending a VRRP advert for {Instance} on {Interface} to {Destination} failed again: {SocketError}")]
    public static partial void TransportSendFailedAgain(ILogger logger, string instance, string @interface, IPAddress destination, System.Net.Sockets.SocketError socketError);

    [LoggerMessage(EventId = 1203, EventName = "TransportSendRecovered", Level = LogLevel.Information,
        Message = "Sending VRRP adverts for {Instance} on {Interface} works again")]
    public static partial void TransportSendRecovered(ILogger logger, string instance, string @interface);

    // 1220-1239: VIP manager.
    [LoggerMessage(EventId = 1220, EventName = "VipAdded", Level = LogLevel.Information,
        Message = "Added virtual address {Address} to {Interface}")]
    public static partial void VipAdded(ILogger logger, VirtualAddress address, string @interface);

    [LoggerMessage(EventId = 1221, EventName = "VipAlreadyPresent", Level = LogLevel.Debug,
        Message = "Virtual address {Address} was already on {Interface}")]
    public static partial void VipAlreadyPresent(ILogger logger, VirtualAddress address, string @interface);

    [LoggerMessage(EventId = 1222, EventName = "VipRemoved", Level = LogLevel.Information,
        Message = "Removed virtual address {Address} from {Interface}")]
    public static partial void VipRemoved(ILogger logger, VirtualAddress address, string @interface);

    [LoggerMessage(EventId = 1223, EventName = "VipAlreadyAbsent", Level = LogLevel.Debug,
        Message = "Virtual address {Address} was not on {Interface}")]
    public static partial void VipAlreadyAbsent(ILogger logger, VirtualAddress address, string @interface);

    [LoggerMessage(EventId = 1224, EventName = "MarkedAddressRemoved", Level = LogLevel.Information,
        Message = "Released leftover virtual address {Address} from {Interface} (label {Label})")]
    public static partial void MarkedAddressRemoved(ILogger logger, VirtualAddress address, string @interface, string? label);

    [LoggerMessage(EventId = 1225, EventName = "VipInterfaceIndexChanged", Level = LogLevel.Warning,
        Message = "Interface {Interface} was recreated (ifindex {OldIndex} -> {NewIndex}); virtual addresses now go to the new one")]
    public static partial void VipInterfaceIndexChanged(ILogger logger, string @interface, int oldIndex, int newIndex);

    // 1240-1259: link monitor.
    [LoggerMessage(EventId = 1240, EventName = "LinkMonitorStarted", Level = LogLevel.Debug,
        Message = "Link monitor subscribed to rtnetlink link and IPv4 address events; {LinkCount} links known")]
    public static partial void LinkMonitorStarted(ILogger logger, int linkCount);

    [LoggerMessage(EventId = 1241, EventName = "LinkStateChanged", Level = LogLevel.Information,
        Message = "Interface {Interface} is now {State}")]
    public static partial void LinkStateChanged(ILogger logger, string @interface, string state);

    [LoggerMessage(EventId = 1242, EventName = "AddressRemovedObserved", Level = LogLevel.Information,
        Message = "Address {Address} was removed from {Interface}")]
    public static partial void AddressRemovedObserved(ILogger logger, IPAddress address, string @interface);

    [LoggerMessage(EventId = 1243, EventName = "LinkMonitorOverrun", Level = LogLevel.Warning,
        Message = "Link monitor lost netlink events (ENOBUFS); resynchronising link state from a dump")]
    public static partial void LinkMonitorOverrun(ILogger logger);

    [LoggerMessage(EventId = 1244, EventName = "LinkMonitorReceiveFailed", Level = LogLevel.Error,
        Message = "Link monitor receive failed; retrying")]
    public static partial void LinkMonitorReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1245, EventName = "MalformedNetlinkDatagram", Level = LogLevel.Warning,
        Message = "Dropped a malformed rtnetlink datagram of {Length} bytes")]
    public static partial void MalformedNetlinkDatagram(ILogger logger, int length);

    [LoggerMessage(EventId = 1246, EventName = "LinkEventHandlerFailed", Level = LogLevel.Error,
        Message = "A link monitor event handler threw")]
    public static partial void LinkEventHandlerFailed(ILogger logger, Exception exception);

    // 1260-1279: GARP / unsolicited Neighbor Advertisement sender.
    [LoggerMessage(EventId = 1260, EventName = "GarpDeviceOpened", Level = LogLevel.Debug,
        Message = "Opened pcap device {Interface} for gratuitous ARP and Neighbor Advertisements")]
    public static partial void GarpDeviceOpened(ILogger logger, string @interface);

    [LoggerMessage(EventId = 1261, EventName = "GarpDeviceUnavailable", Level = LogLevel.Error,
        Message = "Cannot send gratuitous ARP or Neighbor Advertisements on {Interface}: {Reason}. VRRP keeps running; neighbours learn the new MAC only when their ARP and neighbour entries expire")]
    public static partial void GarpDeviceUnavailable(ILogger logger, string @interface, string reason, Exception? exception);

    [LoggerMessage(EventId = 1262, EventName = "GarpSendFailed", Level = LogLevel.Warning,
        Message = "Sending gratuitous ARP for {Address} on {Interface} failed")]
    public static partial void GarpSendFailed(ILogger logger, IPAddress address, string @interface, Exception exception);

    [LoggerMessage(EventId = 1263, EventName = "GarpSkippedNoMac", Level = LogLevel.Warning,
        Message = "Interface {Interface} has no 6-byte MAC address; gratuitous ARP disabled")]
    public static partial void GarpSkippedNoMac(ILogger logger, string @interface);

    [LoggerMessage(EventId = 1264, EventName = "GarpUsingPacketSocket", Level = LogLevel.Warning,
        Message = "libpcap is not installed (package libpcap0.8); sending gratuitous ARP and Neighbor Advertisements on {Interface} through an AF_PACKET socket instead")]
    public static partial void GarpUsingPacketSocket(ILogger logger, string @interface);

    [LoggerMessage(EventId = 1265, EventName = "NeighborAdvertSendFailed", Level = LogLevel.Warning,
        Message = "Sending an unsolicited Neighbor Advertisement for {Address} on {Interface} failed")]
    public static partial void NeighborAdvertSendFailed(ILogger logger, IPAddress address, string @interface, Exception exception);

    [LoggerMessage(EventId = 1266, EventName = "NeighborAdvertSkippedNoLinkLocal", Level = LogLevel.Warning,
        Message = "Interface {Interface} has no usable IPv6 link-local address yet; unsolicited Neighbor Advertisements are skipped until it has one")]
    public static partial void NeighborAdvertSkippedNoLinkLocal(ILogger logger, string @interface);

    [LoggerMessage(EventId = 1267, EventName = "GarpDeviceTuningFailed", Level = LogLevel.Debug,
        Message = "pcap device {Interface} kept its default {Setting} ({Reason}); announcements are still sent")]
    public static partial void GarpDeviceTuningFailed(ILogger logger, string @interface, string setting, string reason);

    [LoggerMessage(EventId = 1268, EventName = "WaitingForLinkLocal", Level = LogLevel.Information,
        Message = "{Instance}: the IPv6 link-local address of {Interface} is in duplicate address detection; waiting for it (at most {BoundMs} ms)")]
    public static partial void WaitingForLinkLocal(ILogger logger, string instance, string @interface, double boundMs);
}
