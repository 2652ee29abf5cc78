using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// One VRRPv2 virtual router (RFC 3768), the equivalent of a keepalived <c>vrrp_instance</c>.
/// Defaults follow keepalived so a migrated node behaves like the peer it replaces.
/// </summary>
public sealed class VrrpInstanceOptions
{
    /// <summary>Instance name used in logs, metrics and status.</summary>
    public string Name { get; set; } = "default";

    /// <summary>Interface the adverts are sent on and the VIPs are added to. <remarks>Defaults to eth0.</remarks></summary>
    public string Interface { get; set; } = "eth0";

    /// <summary>Virtual router id, 1-255. Required.</summary>
    public byte VirtualRouterId { get; set; }

    /// <summary>Configured priority, 1-255; 255 marks the address owner. <remarks>Defaults to 100.</remarks></summary>
    public byte Priority { get; set; } = 100;

    /// <summary>Advertisement interval; VRRPv2 carries whole seconds 1-255. <remarks>Defaults to 1 s.</remarks></summary>
    public TimeSpan AdvertInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Authentication type. <remarks>Defaults to none.</remarks></summary>
    public VrrpAuthType AuthType { get; set; } = VrrpAuthType.None;

    /// <summary>PASS password; only the first 8 bytes go on the wire (RFC 3768 §5.3.6.1).</summary>
    public string? AuthPassword { get; set; }

    /// <summary>Virtual addresses in configuration order (the order they appear in adverts).</summary>
    public IList<VirtualAddress> VirtualAddresses { get; set; } = new List<VirtualAddress>();

    /// <summary>Preemption by a higher-priority backup. <remarks>Defaults to true (keepalived: on unless <c>nopreempt</c>).</remarks></summary>
    public bool Preempt { get; set; } = true;

    /// <summary>Time a backup keeps accepting a lower-priority master before preempting. <remarks>Defaults to 0.</remarks></summary>
    public TimeSpan PreemptDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Multicast group. <remarks>Defaults to 224.0.0.18 (the seed uses 224.0.0.19).</remarks></summary>
    public IPAddress MulticastGroup { get; set; } = IPAddress.Parse("224.0.0.18");

    /// <summary>Source address for unicast mode; also overrides the interface's primary address as advert source.</summary>
    public IPAddress? UnicastSourceAddress { get; set; }

    /// <summary>Unicast peers; when non-empty the instance runs in unicast mode (one advert per peer).</summary>
    public IList<IPAddress> UnicastPeers { get; set; } = new List<IPAddress>();

    /// <summary>Gratuitous ARPs per VIP on becoming master. <remarks>Defaults to 5 (keepalived <c>garp_master_repeat</c>).</remarks></summary>
    public int GarpMasterRepeat { get; set; } = 5;

    /// <summary>Delay of the second GARP burst; zero disables it. <remarks>Defaults to 5 s.</remarks></summary>
    public TimeSpan GarpMasterDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Period of GARP refreshes while master; zero disables them. <remarks>Defaults to 0.</remarks></summary>
    public TimeSpan GarpMasterRefresh { get; set; } = TimeSpan.Zero;

    /// <summary>GARPs per VIP per refresh. <remarks>Defaults to 1.</remarks></summary>
    public int GarpMasterRefreshRepeat { get; set; } = 1;

    /// <summary>GARPs per VIP when a master hears a lower priority (split-brain healing). <remarks>Defaults to 5.</remarks></summary>
    public int GarpLowerPriorityRepeat { get; set; } = 5;

    /// <summary>Delay of the second lower-priority GARP burst. <remarks>Defaults to 5 s.</remarks></summary>
    public TimeSpan GarpLowerPriorityDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Optional IFA_LABEL for added VIPs (at most 15 characters, usually <c>eth0:vip</c>).</summary>
    public string? AddressLabel { get; set; }

    /// <summary>Number of missed adverts before the master is declared down. <remarks>Defaults to 3.</remarks></summary>
    public int DownTimerAdverts { get; set; } = 3;

    /// <summary>True when <see cref="UnicastPeers"/> is non-empty.</summary>
    public bool IsUnicast => UnicastPeers.Count > 0;
}
