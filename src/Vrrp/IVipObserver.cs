namespace CloudCoreLb.Vrrp;

/// <summary>
/// Told about every virtual address an instance adds or is about to remove, on the instance's thread, right around the
/// netlink call. The host's VIP guardian uses it to know exactly what to delete if the daemon dies.
/// </summary>
public interface IVipObserver
{
    /// <summary><paramref name="address"/> was just added to <paramref name="interfaceName"/>.</summary>
    void Added(VirtualAddress address, string interfaceName);

    /// <summary><paramref name="address"/> is about to be removed from <paramref name="interfaceName"/>.</summary>
    void Removing(VirtualAddress address, string interfaceName);
}
