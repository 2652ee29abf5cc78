using System.ComponentModel;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

internal sealed partial class NetlinkSocket
{
    private const int ENODEV = 19;

    /// <summary>Every link in the socket's namespace (RTM_GETLINK dump).</summary>
    public List<RtnlLink> GetLinks()
    {
        var links = new List<RtnlLink>();
        Span<byte> request = stackalloc byte[64];
        var sequence = NextSequence();
        var length = RtnlRequests.WriteGetLinkDump(request, sequence);
        Query(request[..length], sequence, (in NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWLINK && RtnlLink.TryParse(message.Payload, out var link))
            {
                links.Add(link);
            }
        });
        return links;
    }

    /// <summary>The link named <paramref name="name"/>, or null when there is none (RTM_GETLINK by IFLA_IFNAME).</summary>
    public RtnlLink? GetLink(string name)
    {
        RtnlLink? found = null;
        Span<byte> request = stackalloc byte[64];
        var sequence = NextSequence();
        var length = RtnlRequests.WriteGetLink(request, sequence, name);
        try
        {
            Query(request[..length], sequence, (in NetlinkMessage message) =>
            {
                if (message.Type == RTM_NEWLINK && RtnlLink.TryParse(message.Payload, out var link))
                {
                    found = link;
                }
            });
        }
        catch (Win32Exception ex) when (ex.NativeErrorCode == ENODEV)
        {
            return null;
        }

        return found;
    }

    /// <summary>Every IPv4 address in the socket's namespace in kernel order (RTM_GETADDR dump).</summary>
    public List<RtnlAddress> GetIPv4Addresses() => GetAddresses(LinuxInterop.AF_INET);

    /// <summary>Every IPv6 address in the socket's namespace in kernel order (RTM_GETADDR dump).</summary>
    public List<RtnlAddress> GetIPv6Addresses() => GetAddresses(LinuxInterop.AF_INET6);

    private List<RtnlAddress> GetAddresses(byte family)
    {
        var addresses = new List<RtnlAddress>();
        Span<byte> request = stackalloc byte[64];
        var sequence = NextSequence();
        var length = RtnlRequests.WriteGetAddressDump(request, sequence, family);
        Query(request[..length], sequence, (in NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWADDR
                && RtnlAddress.TryParse(message.Payload, out var address)
                && address.Family == family)
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }
}
