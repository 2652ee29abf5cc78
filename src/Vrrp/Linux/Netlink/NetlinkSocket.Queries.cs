using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

internal sealed partial class NetlinkSocket
{
    /// <summary>Every link in the socket's namespace (RTM_GETLINK dump).</summary>
    public List<RtnlLink> GetLinks()
    {
        var links = new List<RtnlLink>();
        Span<byte> request = stackalloc byte[64];
        var sequence = NextSequence();
        var length = RtnlRequests.WriteGetLinkDump(request, sequence);
        Dump(request[..length], sequence, (in NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWLINK && RtnlLink.TryParse(message.Payload, out var link))
            {
                links.Add(link);
            }
        });
        return links;
    }

    /// <summary>Every IPv4 address in the socket's namespace in kernel order (RTM_GETADDR dump).</summary>
    public List<RtnlAddress> GetIPv4Addresses()
    {
        var addresses = new List<RtnlAddress>();
        Span<byte> request = stackalloc byte[64];
        var sequence = NextSequence();
        var length = RtnlRequests.WriteGetAddressDump(request, sequence);
        Dump(request[..length], sequence, (in NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWADDR
                && RtnlAddress.TryParse(message.Payload, out var address)
                && address.Family == LinuxInterop.AF_INET)
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }
}
