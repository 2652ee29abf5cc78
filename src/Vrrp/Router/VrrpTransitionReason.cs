namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Why a VRRP instance changed state. Numeric values are stable (logs, metrics labels); add new reasons at the end.
/// </summary>
public enum VrrpTransitionReason
{
    /// <summary>Started: Initialize to Backup with the full master-down timer (docs/design/vrrp.md §5.1).</summary>
    Startup = 1,

    /// <summary>Priority 255: the address owner becomes master at once (RFC 3768 §6.4.1).</summary>
    AddressOwner = 2,

    /// <summary>No acceptable advert within the master-down interval (RFC 3768 §6.4.2).</summary>
    MasterDownTimerExpired = 3,

    /// <summary>The master released the router with a priority-0 advert and the skew time elapsed.</summary>
    MasterReleased = 4,

    /// <summary>A master heard a higher priority, or an equal priority from a higher address (RFC 3768 §6.4.3).</summary>
    HigherPriorityAdvert = 5,

    /// <summary>The interface went down.</summary>
    LinkDown = 6,

    /// <summary>The interface came back up.</summary>
    LinkUp = 7,

    /// <summary>A fault-level health tracker failed.</summary>
    TrackingFault = 8,

    /// <summary>The fault-level health tracker recovered.</summary>
    TrackingRecovered = 9,

    /// <summary>Someone deleted one of our VIPs while we were master (docs/design/vrrp.md §5.5).</summary>
    AddressRemoved = 10,

    /// <summary>Clean stop.</summary>
    Stopped = 11,

    /// <summary>Taken over from the process this one replaced (an upgrade): the state went on, nothing was sent.</summary>
    HandedOver = 12,

    /// <summary>An operator's planned handover: the successor's advert arrived, this master stepped down (held).</summary>
    PlannedHandover = 13,

    /// <summary>Another member of the instance's sync group changed state and this one followed (keepalived <c>vrrp_sync_group</c>).</summary>
    SyncGroup = 14,
}
