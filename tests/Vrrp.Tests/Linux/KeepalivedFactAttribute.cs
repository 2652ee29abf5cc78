using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// A fact that runs a real keepalived in a test namespace: needs root and a keepalived binary. Otherwise reported
/// as skipped with the reason, never as passed.
/// </summary>
internal sealed class KeepalivedFactAttribute : FactAttribute
{
    public KeepalivedFactAttribute()
    {
        if (LinuxInterop.GetEffectiveUserId() != 0)
        {
            Skip = "Requires root (geteuid() == 0): runs keepalived in a network namespace.";
        }
        else if (KeepalivedProcess.FindBinary() is null)
        {
            Skip = "Requires keepalived on PATH (Debian package keepalived) for the interoperability check.";
        }
    }
}
