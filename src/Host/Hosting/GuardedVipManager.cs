using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// Tells the <see cref="VipGuardian"/> which addresses this daemon holds, so that after a SIGKILL the watcher can
/// delete exactly those at once, before the .NET runtime of <c>release-vips</c> has even started.
/// </summary>
internal sealed class GuardedVipManager(IVipManager inner, string device, VipGuardian guardian) : IVipManager
{
    public void Add(VirtualAddress address)
    {
        inner.Add(address);
        guardian.Holding(address, device);
    }

    public void Remove(VirtualAddress address)
    {
        // Told first: dying in between leaves the watcher deleting an address that is already gone, which is harmless.
        guardian.Released(address, device);
        inner.Remove(address);
    }

    public bool IsPresent(VirtualAddress address) => inner.IsPresent(address);
}
