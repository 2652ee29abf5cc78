using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// What a dead daemon's clean stop would have done, done from another process (<c>cloudcore-lb release-vips</c>):
/// remove the addresses carrying our netlink mark and send the priority-0 advert, so a backup takes over after its
/// skew time instead of the full master-down interval.
/// </summary>
public static class VrrpRelease
{
    /// <summary>
    /// Removes every address carrying our IFA_PROTO mark on every interface of the calling thread's network namespace
    /// and returns them; addresses configured by hand or by keepalived carry no mark and are never touched.
    /// </summary>
    /// <param name="logger">Where each removal is logged.</param>
    /// <param name="keep">Marked addresses (interface name, address) to leave in place: those leased for a restart.</param>
    /// <exception cref="VrrpInstanceException">Netlink refused a request.</exception>
    public static IReadOnlyList<(string InterfaceName, VirtualAddress Address)> RemoveMarkedAddresses(ILogger? logger = null, Func<string, VirtualAddress, bool>? keep = null)
    {
        try
        {
            return NetlinkVipManager.RemoveMarkedAddresses(logger ?? NullLogger.Instance, keep: keep).Select(m => (m.InterfaceName, m.Address)).ToArray();
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException or Win32Exception)
        {
            throw new VrrpInstanceException("release-vips", ex.Message, ex);
        }
    }

    /// <summary>Sends one priority-0 advert for the instance <paramref name="options"/> describe; returns its source.</summary>
    /// <exception cref="VrrpInstanceException">No socket, interface or source address for it.</exception>
    public static IPAddress SendPriorityZero(VrrpInstanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var nic = InterfaceInfo.Get(options.Interface, options.VirtualAddresses.Select(v => v.Address));
            using var transport = RawVrrpTransport.Open(options, nic, NullLogger.Instance);
            transport.Send(options.Version == 3
                ? VrrpV3AdvertisementWriter.Create(options, priority: 0, transport.SourceAddress)
                : VrrpAdvertisementWriter.Create(options, priority: 0));
            return transport.SourceAddress;
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException or ArgumentException or Win32Exception)
        {
            throw new VrrpInstanceException(options.Name, ex.Message, ex);
        }
    }
}
