using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux.Netlink;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// What the VRRP components need to know about one interface, read over rtnetlink rather than
/// <see cref="NetworkInterface"/> so it reflects the network namespace of the calling thread (System.Net's view mixes
/// in /sys, which belongs to the mount namespace).
/// </summary>
internal sealed class InterfaceInfo
{
    public InterfaceInfo(
        string name,
        int index,
        PhysicalAddress macAddress,
        IReadOnlyList<IPAddress> addresses,
        IPAddress? primaryAddress,
        bool isUp,
        IPAddress? linkLocalAddress = null)
    {
        Name = name;
        Index = index;
        MacAddress = macAddress;
        Addresses = addresses;
        PrimaryAddress = primaryAddress;
        IsUp = isUp;
        LinkLocalAddress = linkLocalAddress;
    }

    /// <summary>Interface name, e.g. eth0.</summary>
    public string Name { get; }

    /// <summary>Kernel interface index (ifindex).</summary>
    public int Index { get; }

    /// <summary>Hardware address; GARP frames leave from it (docs/design/vrrp.md §6). Empty for interfaces without one.</summary>
    public PhysicalAddress MacAddress { get; }

    /// <summary>IPv4 addresses in kernel order, VIPs included.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>
    /// The first IPv4 address that is not a configured VIP: keepalived's advert source and tie-break key. A VIP left
    /// behind by a crash must never become our identity (keepalived <c>remove_residual_vips</c>, docs/design/vrrp.md §1.1).
    /// </summary>
    public IPAddress? PrimaryAddress { get; }

    /// <summary>IFF_UP and IFF_RUNNING at the time of the query.</summary>
    public bool IsUp { get; }

    /// <summary>
    /// The interface's first usable IPv6 link-local address (fe80::/10, duplicate address detection passed), with the
    /// interface index as scope id: the source of VRRPv3 IPv6 adverts (RFC 5798 §5.1.2.2) and of unsolicited
    /// Neighbor Advertisements. Null when IPv6 is off on the interface or its link-local address is still tentative.
    /// </summary>
    public IPAddress? LinkLocalAddress { get; }

    /// <summary>Reads the interface from the kernel of the calling thread's network namespace.</summary>
    /// <exception cref="InvalidOperationException">No interface has that name.</exception>
    public static InterfaceInfo Get(string name, IEnumerable<IPAddress> excludeAddresses)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(excludeAddresses);
        using var socket = NetlinkSocket.Open();
        var link = name.Length < 16 ? socket.GetLink(name) : null;
        return link is { } found
            ? Create(found, [.. socket.GetIPv4Addresses(), .. socket.GetIPv6Addresses()], excludeAddresses)
            : throw new InvalidOperationException($"Network interface '{name}' does not exist.");
    }

    /// <summary>
    /// Reads the link-local address of interface <paramref name="index"/> now (see <see cref="LinkLocalAddress"/>),
    /// for callers whose snapshot predates it: the kernel adds it when the link comes up, tentative for about a second.
    /// </summary>
    public static IPAddress? GetLinkLocalAddress(int index)
    {
        using var socket = NetlinkSocket.Open();
        return FindLinkLocal(index, socket.GetIPv6Addresses());
    }

    /// <summary>
    /// Reads interface <paramref name="index"/>'s link-local addresses now, in one dump: the usable one (as
    /// <see cref="GetLinkLocalAddress"/>), and whether one is still in duplicate address detection (tentative, not
    /// failed), so a caller knows whether waiting can help.
    /// </summary>
    public static (IPAddress? Usable, bool Tentative) GetLinkLocalState(int index)
    {
        using var socket = NetlinkSocket.Open();
        var addresses = socket.GetIPv6Addresses();
        return (FindLinkLocal(index, addresses), LinkLocals(index, addresses).Any(a =>
            (a.Address.Flags & (NetlinkConstants.IFA_F_TENTATIVE | NetlinkConstants.IFA_F_DADFAILED)) == NetlinkConstants.IFA_F_TENTATIVE));
    }

    /// <summary>Builds the view from parsed netlink data; separate from <see cref="Get"/> for tests.</summary>
    internal static InterfaceInfo Create(RtnlLink link, IEnumerable<RtnlAddress> allAddresses, IEnumerable<IPAddress> excludeAddresses)
    {
        var excluded = new HashSet<IPAddress>(excludeAddresses);
        var addresses = new List<IPAddress>();
        IPAddress? primary = null;
        var all = allAddresses as IReadOnlyCollection<RtnlAddress> ?? [.. allAddresses];
        foreach (var address in all)
        {
            if (address.Family != LinuxInterop.AF_INET
                || address.InterfaceIndex != link.InterfaceIndex
                || address.EffectiveAddress is not { } ip)
            {
                continue;
            }

            addresses.Add(ip);
            if (primary is null && !excluded.Contains(ip))
            {
                primary = ip;
            }
        }

        return new InterfaceInfo(
            link.Name ?? throw new ArgumentException("Link has no name.", nameof(link)),
            link.InterfaceIndex,
            link.HardwareAddress ?? PhysicalAddress.None,
            addresses,
            primary,
            link.IsUpAndRunning,
            FindLinkLocal(link.InterfaceIndex, all));
    }

    private static IPAddress? FindLinkLocal(int index, IEnumerable<RtnlAddress> addresses) =>
        LinkLocals(index, addresses)
            .Where(a => (a.Address.Flags & (NetlinkConstants.IFA_F_TENTATIVE | NetlinkConstants.IFA_F_DADFAILED)) == 0)
            .Select(a => new IPAddress(a.Ip.GetAddressBytes(), index))
            .FirstOrDefault();

    /// <summary>Interface <paramref name="index"/>'s IPv6 link-local addresses (fe80::/10), in every DAD state.</summary>
    private static IEnumerable<(RtnlAddress Address, IPAddress Ip)> LinkLocals(int index, IEnumerable<RtnlAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (address.Family == LinuxInterop.AF_INET6 && address.InterfaceIndex == index && address.EffectiveAddress is { IsIPv6LinkLocal: true } ip)
            {
                yield return (address, ip);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (ifindex {Index}, {MacAddress}, primary {PrimaryAddress?.ToString() ?? "none"})";
}
