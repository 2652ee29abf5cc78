using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>Sends one gratuitous ARP request for a virtual address on the instance's interface (docs/design/vrrp.md §6).</summary>
internal interface IGarpSender
{
    /// <summary>Sends one 42-byte "who-has VIP tell VIP" broadcast frame.</summary>
    void Send(IPAddress address);
}
