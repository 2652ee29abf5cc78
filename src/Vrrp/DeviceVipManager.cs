namespace CloudCoreLb.Vrrp;

/// <summary>
/// Sends each VIP to the manager of its own interface (keepalived <c>virtual_ipaddress { ADDR dev IF }</c>): the
/// instance's interface unless the address names another <see cref="VirtualAddress.Device"/>.
/// </summary>
internal sealed class DeviceVipManager(IVipManager instanceInterface, IReadOnlyDictionary<string, IVipManager> devices) : IVipManager
{
    public void Add(VirtualAddress address) => For(address).Add(address);

    public void Renew(VirtualAddress address) => For(address).Renew(address);

    public void Remove(VirtualAddress address) => For(address).Remove(address);

    public bool IsPresent(VirtualAddress address) => For(address).IsPresent(address);

    private IVipManager For(VirtualAddress address) =>
        address.Device is { } device && devices.TryGetValue(device, out var manager) ? manager : instanceInterface;
}
