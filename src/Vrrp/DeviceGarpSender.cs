using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>Announces each VIP on the interface it was added to (its <see cref="VirtualAddress.Device"/>, else the instance's).</summary>
internal sealed class DeviceGarpSender(IGarpSender instanceInterface, IReadOnlyDictionary<IPAddress, IGarpSender> byAddress) : IGarpSender
{
    public void Send(IPAddress address) =>
        (byAddress.TryGetValue(address, out var sender) ? sender : instanceInterface).Send(address);
}
