namespace CloudCoreLb.TestSupport;

/// <summary>
/// A fact that needs root: network namespaces, raw sockets, netlink address changes, file owners, another user. When
/// the test process is not root the runner reports it as skipped with this reason, never as passed; CI runs as root,
/// so there every such test runs.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    /// <summary>Skips the test, with the reason, unless the process is privileged (euid 0).</summary>
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root (euid 0): creates network namespaces, raw sockets, netlink address changes or files owned by another user; run the tests as root, as CI does";
        }
    }
}
