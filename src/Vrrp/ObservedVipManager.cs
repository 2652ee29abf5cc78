namespace CloudCoreLb.Vrrp;

/// <summary>Reports every add and remove of an inner <see cref="IVipManager"/> to an <see cref="IVipObserver"/>.</summary>
internal sealed class ObservedVipManager(IVipManager inner, string interfaceName, IVipObserver observer) : IVipManager
{
    public void Add(VirtualAddress address)
    {
        inner.Add(address);
        observer.Added(address, interfaceName);
    }

    public void Renew(VirtualAddress address) => inner.Renew(address);

    public void Remove(VirtualAddress address)
    {
        // Told first: dying in between leaves the observer deleting an address that is already gone, which is harmless.
        observer.Removing(address, interfaceName);
        inner.Remove(address);
    }

    public bool IsPresent(VirtualAddress address) => inner.IsPresent(address);
}
