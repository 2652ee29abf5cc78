using System.Net;
using CloudCoreLb.HealthCheck.Collections;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// One VRRPv2 virtual router (RFC 3768), the equivalent of a keepalived <c>vrrp_instance</c>.
/// Defaults follow keepalived so a migrated node behaves like the peer it replaces. Immutable once built, and equal to
/// another instance exactly when every option is (lists compare element by element): a reload keeps an instance whose
/// options are equal, and <see cref="VrrpInstanceOptionsValidator"/> says whether they are usable.
/// </summary>
public sealed record VrrpInstanceOptions
{
    /// <summary>Instance name used in logs, metrics and status.</summary>
    public string Name { get; init; } = "default";

    /// <summary>Interface the adverts are sent on and the VIPs are added to. <remarks>Defaults to eth0.</remarks></summary>
    public string Interface { get; init; } = "eth0";

    /// <summary>Virtual router id, 1-255. Required.</summary>
    public int VirtualRouterId { get; init; }

    /// <summary>Configured priority, 1-255; 255 marks the address owner. <remarks>Defaults to 100.</remarks></summary>
    public int Priority { get; init; } = 100;

    /// <summary>
    /// VRRP version: 2 (RFC 3768) or 3 (RFC 5798, centisecond intervals, no authentication). <remarks>Defaults to 2.</remarks>
    /// </summary>
    public int Version { get; init; } = 2;

    /// <summary>
    /// VRRPv3 Accept_Mode (RFC 5798 §6.1): a non-owner master accepts traffic to the VIPs. The proxy serves them, so
    /// only true is usable. <remarks>Defaults to true (keepalived's <c>accept</c> outside strict mode).</remarks>
    /// </summary>
    public bool AcceptMode { get; init; } = true;

    /// <summary>
    /// Advertisement interval; VRRPv2 carries whole seconds 1-255, VRRPv3 centiseconds 10 ms-40.95 s.
    /// <remarks>Defaults to 1 s.</remarks>
    /// </summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Authentication type. <remarks>Defaults to none.</remarks></summary>
    public VrrpAuthType AuthType { get; init; } = VrrpAuthType.None;

    /// <summary>PASS password; only the first 8 bytes go on the wire (RFC 3768 §5.3.6.1).</summary>
    public string? AuthPassword { get; init; }

    /// <summary>Virtual addresses in configuration order (the order they appear in adverts).</summary>
    public ValueList<VirtualAddress> VirtualAddresses { get; init; } = [];

    /// <summary>Preemption by a higher-priority backup. <remarks>Defaults to true (keepalived: on unless <c>nopreempt</c>).</remarks></summary>
    public bool Preempt { get; init; } = true;

    /// <summary>Time a backup keeps accepting a lower-priority master before preempting. <remarks>Defaults to 0.</remarks></summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Multicast group. <remarks>Defaults to 224.0.0.18 (the seed uses 224.0.0.19).</remarks></summary>
    public IPAddress MulticastGroup { get; init; } = IPAddress.Parse("224.0.0.18");

    /// <summary>
    /// Multicast group of an IPv6 instance (VRRPv3 with IPv6 VIPs, RFC 5798 §5.1.2.2).
    /// <remarks>Defaults to ff02::12 (keepalived <c>vrrp_mcast_group6</c>).</remarks>
    /// </summary>
    public IPAddress MulticastGroup6 { get; init; } = IPAddress.Parse("ff02::12");

    /// <summary>Source address for unicast mode; also overrides the interface's primary address as advert source.</summary>
    public IPAddress? UnicastSourceAddress { get; init; }

    /// <summary>
    /// Unicast peers; when non-empty the instance runs in unicast mode (one advert per peer). The same file may list
    /// every node: a node never sends to its own source address.
    /// </summary>
    public ValueList<IPAddress> UnicastPeers { get; init; } = [];

    /// <summary>Gratuitous ARPs per VIP on becoming master. <remarks>Defaults to 5 (keepalived <c>garp_master_repeat</c>).</remarks></summary>
    public int GarpMasterRepeat { get; init; } = 5;

    /// <summary>Delay of the second GARP burst; zero disables it. <remarks>Defaults to 5 s.</remarks></summary>
    public TimeSpan GarpMasterDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Crash recovery: VIPs are added with this valid lifetime and renewed with every advert, so the kernel itself
    /// deletes them if no process renews them in time (the daemon was killed and did not come back), before a
    /// backup's master-down timer makes it master. Null: VIPs stay until removed.
    /// <remarks>Defaults to null; the host sets it when crash recovery is on (docs/design/upgrade.md).</remarks>
    /// </summary>
    public TimeSpan? VipLifetime { get; init; }

    /// <summary>Period of GARP refreshes while master; zero disables them. <remarks>Defaults to 0.</remarks></summary>
    public TimeSpan GarpMasterRefresh { get; init; } = TimeSpan.Zero;

    /// <summary>GARPs per VIP per refresh. <remarks>Defaults to 1.</remarks></summary>
    public int GarpMasterRefreshRepeat { get; init; } = 1;

    /// <summary>GARPs per VIP when a master hears a lower priority (split-brain healing). <remarks>Defaults to 5.</remarks></summary>
    public int GarpLowerPriorityRepeat { get; init; } = 5;

    /// <summary>Delay of the second lower-priority GARP burst. <remarks>Defaults to 5 s.</remarks></summary>
    public TimeSpan GarpLowerPriorityDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a master that hears a higher priority sends one advert at its own priority before it steps down, so the
    /// winner of a healed partition always hears it and re-sends its GARPs (keepalived <c>higher_prio_send_advert</c>,
    /// off there by default). <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool HigherPrioritySendAdvert { get; init; } = true;

    /// <summary>Optional IFA_LABEL for added VIPs (at most 15 characters, usually <c>eth0:vip</c>).</summary>
    public string? AddressLabel { get; init; }

    /// <summary>Number of missed adverts before the master is declared down. <remarks>Defaults to 3.</remarks></summary>
    public int DownTimerAdverts { get; init; } = 3;

    /// <summary>Other interfaces whose link state moves this instance (keepalived <c>track_interface</c>). <remarks>Defaults to none.</remarks></summary>
    public ValueList<VrrpTrackedInterface> TrackedInterfaces { get; init; } = [];

    /// <summary>
    /// True when the VIPs are IPv6: the instance speaks VRRPv3 over IPv6 (one address family per instance, as
    /// keepalived; the validator refuses a mix and IPv6 in VRRPv2).
    /// </summary>
    public bool IsIPv6 => VirtualAddresses.Count > 0 && VirtualAddresses[0].Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <summary>The group adverts go to in multicast mode: <see cref="MulticastGroup6"/> for an IPv6 instance, else <see cref="MulticastGroup"/>.</summary>
    public IPAddress AdvertGroup => IsIPv6 ? MulticastGroup6 : MulticastGroup;

    /// <summary>
    /// Whether one of this instance's VIPs is <paramref name="address"/> on <paramref name="interfaceName"/>: the VIP's
    /// own <see cref="VirtualAddress.Device"/>, else <see cref="Interface"/>.
    /// </summary>
    public bool OwnsAddress(IPAddress address, string interfaceName) =>
        VirtualAddresses.Any(v => v.Address.Equals(address) && (v.Device ?? Interface) == interfaceName);

    /// <summary>True when <see cref="UnicastPeers"/> is non-empty.</summary>
    public bool IsUnicast => UnicastPeers.Count > 0;

    /// <summary>Name, VRID and interface; never the password (a record would print every member).</summary>
    public override string ToString() => $"{Name} (VRID {VirtualRouterId} on {Interface})";
}
