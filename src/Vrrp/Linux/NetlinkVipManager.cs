using CloudCoreLb.Vrrp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Adds and removes IPv4 and IPv6 VIPs (IPv6 with IFA_F_NODAD) with rtnetlink RTM_NEWADDR / RTM_DELADDR
/// (docs/design/vrrp.md §7). Every address it adds carries
/// IFA_PROTO <see cref="AddressProtocol"/> so leftovers of a crashed daemon are found and released by
/// <see cref="ListMarkedAddresses"/> / <see cref="RemoveMarkedAddresses"/> instead of lingering as a duplicate VIP
/// (keepalived #2361, #2201). The netlink socket is opened in the constructor and so belongs to the network namespace
/// of the constructing thread.
/// </summary>
internal sealed class NetlinkVipManager : IVipManager, IDisposable
{
    /// <summary>
    /// Our IFA_PROTO value (Linux 5.18+). 0-3 are kernel-reserved and keepalived uses 18 (RTPROT_KEEPALIVED); 0xCC
    /// ("CloudCore") is unassigned in iproute2's rt_addrprotos. `ip -d addr` on iproute2 6.3+ shows it as "proto 204".
    /// </summary>
    public const byte AddressProtocol = 0xCC;

    private const int ENODEV = 19;
    private const int EEXIST = 17;
    private const int EADDRNOTAVAIL = 99;

    private readonly InterfaceInfo _interface;
    private readonly string? _label;
    private readonly ILogger _logger;
    private readonly NetlinkSocket _socket;
    private readonly uint _lifetimeSeconds;
    private int _interfaceIndex;

    /// <param name="interfaceInfo">Interface the VIPs go on.</param>
    /// <param name="label">Address label, or none.</param>
    /// <param name="logger">Logging.</param>
    /// <param name="lifetime">Lease of every VIP (renewed by <see cref="Renew"/>), or null for addresses that stay until removed.</param>
    public NetlinkVipManager(InterfaceInfo interfaceInfo, string? label, ILogger logger, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(interfaceInfo);
        ArgumentNullException.ThrowIfNull(logger);
        if (label is { Length: > 15 })
        {
            // IFNAMSIZ - 1: the kernel rejects longer labels with ERANGE/EINVAL.
            throw new ArgumentException($"Address label '{label}' is longer than 15 characters.", nameof(label));
        }

        _interface = interfaceInfo;
        _interfaceIndex = interfaceInfo.Index;
        _label = string.IsNullOrEmpty(label) ? null : label;
        _logger = logger;
        _lifetimeSeconds = lifetime is { } l ? (uint)Math.Max(1, Math.Ceiling(l.TotalSeconds)) : 0;
        _socket = NetlinkSocket.Open();
    }

    /// <inheritdoc />
    public void Add(VirtualAddress address)
    {
        var errno = AddAddress(address);
        if (errno == ENODEV && RefreshInterfaceIndex())
        {
            errno = AddAddress(address);
        }

        switch (errno)
        {
            case 0:
                VrrpLinuxLog.VipAdded(_logger, address, _interface.Name);
                break;
            case EEXIST:
                VrrpLinuxLog.VipAlreadyPresent(_logger, address, _interface.Name);
                if (_lifetimeSeconds != 0)
                {
                    Renew(address);
                }

                break;
            default:
                throw NetlinkSocket.ErrnoException(errno, $"Adding {address} to {_interface.Name}");
        }
    }

    /// <inheritdoc />
    public void Renew(VirtualAddress address)
    {
        if (_lifetimeSeconds == 0)
        {
            return;
        }

        var errno = AddAddress(address, replace: true);
        if (errno == ENODEV && RefreshInterfaceIndex())
        {
            errno = AddAddress(address, replace: true);
        }

        if (errno != 0)
        {
            throw NetlinkSocket.ErrnoException(errno, $"Renewing {address} on {_interface.Name}");
        }
    }

    /// <inheritdoc />
    public void Remove(VirtualAddress address)
    {
        var errno = DeleteAddress(_socket, _interfaceIndex, address);
        if (errno == ENODEV && RefreshInterfaceIndex())
        {
            errno = DeleteAddress(_socket, _interfaceIndex, address);
        }

        switch (errno)
        {
            case 0:
                VrrpLinuxLog.VipRemoved(_logger, address, _interface.Name);
                break;
            case EADDRNOTAVAIL:
            case ENODEV: // the interface is gone and its addresses with it (keepalived ignores ENODEV on delete too)
                VrrpLinuxLog.VipAlreadyAbsent(_logger, address, _interface.Name);
                break;
            default:
                throw NetlinkSocket.ErrnoException(errno, $"Removing {address} from {_interface.Name}");
        }
    }

    /// <inheritdoc />
    public bool IsPresent(VirtualAddress address)
    {
        var existingAddresses = address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? _socket.GetIPv6Addresses()
            : _socket.GetIPv4Addresses();
        foreach (var existing in existingAddresses)
        {
            if (existing.InterfaceIndex == _interfaceIndex
                && existing.PrefixLength == address.PrefixLength
                && address.Address.Equals(existing.EffectiveAddress))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Addresses carrying our IFA_PROTO mark, on every interface or on <paramref name="interfaceName"/> only, in the
    /// calling thread's network namespace. Addresses added by anyone else (`ip addr add`, DHCP) are never listed.
    /// </summary>
    public static IReadOnlyList<MarkedAddress> ListMarkedAddresses(string? interfaceName = null)
    {
        using var socket = NetlinkSocket.Open();
        return FindMarkedAddresses(socket, interfaceName);
    }

    /// <summary>
    /// Removes every address carrying our mark (on <paramref name="interfaceName"/> only when given) and returns them:
    /// the `release-vips` clean-up after a crash. Addresses that vanish meanwhile count as removed; those
    /// <paramref name="keep"/> accepts (interface name, address) stay.
    /// </summary>
    public static IReadOnlyList<MarkedAddress> RemoveMarkedAddresses(ILogger logger, string? interfaceName = null, Func<string, VirtualAddress, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        using var socket = NetlinkSocket.Open();
        var marked = FindMarkedAddresses(socket, interfaceName).Where(m => keep is null || !keep(m.InterfaceName, m.Address)).ToArray();
        foreach (var address in marked)
        {
            var errno = DeleteAddress(socket, address.InterfaceIndex, address.Address);
            if (errno is not 0 and not EADDRNOTAVAIL and not ENODEV)
            {
                throw NetlinkSocket.ErrnoException(errno, $"Removing {address}");
            }

            VrrpLinuxLog.MarkedAddressRemoved(logger, address.Address, address.InterfaceName, address.Label);
        }

        return marked;
    }

    public void Dispose() => _socket.Dispose();

    private int AddAddress(VirtualAddress address, bool replace = false)
    {
        Span<byte> request = stackalloc byte[RtnlRequests.MaxAddressRequestLength];
        var sequence = _socket.NextSequence();
        var length = RtnlRequests.WriteNewAddress(request, sequence, _interfaceIndex, address, _label, AddressProtocol, _lifetimeSeconds, replace);
        return -_socket.Execute(request[..length], sequence);
    }

    /// <summary>
    /// An interface that was deleted and created again under the same name (a bond or VLAN rebuilt, a NIC re-plugged)
    /// has a new ifindex; look the name up again instead of failing forever with ENODEV.
    /// </summary>
    private bool RefreshInterfaceIndex()
    {
        foreach (var link in _socket.GetLinks())
        {
            if (link.Name == _interface.Name && link.InterfaceIndex != _interfaceIndex)
            {
                VrrpLinuxLog.VipInterfaceIndexChanged(_logger, _interface.Name, _interfaceIndex, link.InterfaceIndex);
                _interfaceIndex = link.InterfaceIndex;
                return true;
            }
        }

        return false;
    }

    private static List<MarkedAddress> FindMarkedAddresses(NetlinkSocket socket, string? interfaceName)
    {
        var names = new Dictionary<int, string>();
        foreach (var link in socket.GetLinks())
        {
            names[link.InterfaceIndex] = link.Name ?? link.InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var marked = new List<MarkedAddress>();
        foreach (var address in (IEnumerable<RtnlAddress>)[.. socket.GetIPv4Addresses(), .. socket.GetIPv6Addresses()])
        {
            if (address.Protocol != AddressProtocol || address.EffectiveAddress is not { } ip)
            {
                continue;
            }

            var name = names.GetValueOrDefault(address.InterfaceIndex, "?");
            if (interfaceName is null || name == interfaceName)
            {
                marked.Add(new MarkedAddress(name, address.InterfaceIndex, new VirtualAddress(ip, address.PrefixLength), address.Label));
            }
        }

        return marked;
    }

    /// <summary>Sends RTM_DELADDR and returns the positive errno (0 on success).</summary>
    private static int DeleteAddress(NetlinkSocket socket, int interfaceIndex, VirtualAddress address)
    {
        Span<byte> request = stackalloc byte[RtnlRequests.MaxAddressRequestLength];
        var sequence = socket.NextSequence();
        var length = RtnlRequests.WriteDeleteAddress(request, sequence, interfaceIndex, address);
        return -socket.Execute(request[..length], sequence);
    }
}
