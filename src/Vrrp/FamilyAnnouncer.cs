using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Announces a VIP the way its family needs: gratuitous ARP for IPv4, an unsolicited Neighbor Advertisement for IPv6
/// (RFC 4861 §7.2.6, docs/design/vrrp.md §6). The router's GARP schedule (garp master repeat and delay, refresh,
/// lower-priority bursts) therefore drives both, which is keepalived's schedule for NAs too.
/// </summary>
internal sealed class FamilyAnnouncer(IGarpSender arp, INeighborAdvertisementSender neighbor) : IGarpSender
{
    public void Send(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            neighbor.SendNeighborAdvertisement(address);
        }
        else
        {
            arp.Send(address);
        }
    }
}
