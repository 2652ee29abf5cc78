namespace CloudCoreLb.Vrrp;

/// <summary>VRRP router states (RFC 3768 §6.4); numeric values match keepalived's.</summary>
public enum VrrpState
{
    /// <summary>Not started yet.</summary>
    Initialize = 0,

    /// <summary>Monitoring the master.</summary>
    Backup = 1,

    /// <summary>Owning the virtual addresses.</summary>
    Master = 2,

    /// <summary>Interface down or a weight-0 tracker failing: no adverts accepted, VIPs released.</summary>
    Fault = 3,
}
