using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Sends one unsolicited Neighbor Advertisement for an IPv6 virtual address on the instance's interface: what
/// <see cref="IGarpSender"/> is for IPv4 VIPs (RFC 4861 §7.2.6, docs/design/vrrp.md §6).
/// </summary>
internal interface INeighborAdvertisementSender
{
    /// <summary>Sends one 86-byte "VIP is at our MAC" advertisement to ff02::1 with the Override flag set.</summary>
    void SendNeighborAdvertisement(IPAddress address);
}
