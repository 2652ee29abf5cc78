using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Link and address events for the interfaces VRRP instances use (rtnetlink RTMGRP_LINK | RTMGRP_IPV4_IFADDR).
/// Events are raised on the monitor's own thread.
/// </summary>
internal interface ILinkMonitor
{
    /// <summary>Raised with the interface name and whether it is now up and running (IFF_UP and IFF_RUNNING).</summary>
    event Action<string, bool>? LinkChanged;

    /// <summary>Raised with the interface name and the IPv4 address an RTM_DELADDR removed.</summary>
    event Action<string, IPAddress>? AddressRemoved;

    /// <summary>True when the interface currently exists and is up and running.</summary>
    bool IsUp(string interfaceName);
}
