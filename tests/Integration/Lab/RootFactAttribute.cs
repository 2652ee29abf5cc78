namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// A fact that needs root (network namespaces, raw sockets). It is skipped, with the reason printed by the runner,
/// only when the process is not root; CI runs as root, so there these tests always run.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: creates network namespaces and runs the daemon with raw sockets (run the tests as root, as CI does)";
        }
    }
}
