using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// A fact that needs root (network namespaces, raw sockets, netlink writes). When the test process is not root the
/// test is reported as skipped with the reason, never as passed.
/// </summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (LinuxInterop.GetEffectiveUserId() != 0)
        {
            Skip = "Requires root (geteuid() == 0): creates network namespaces, raw sockets and netlink address changes.";
        }
    }
}
