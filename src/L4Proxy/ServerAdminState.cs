namespace CloudCoreLb.L4Proxy;

/// <summary>
/// What an operator set on a server at runtime (<c>cloudcore-lb server drain|maint|ready</c>), orthogonal to what its
/// checks say. Names follow haproxy's <c>set server state</c>.
/// </summary>
public enum ServerAdminState
{
    /// <summary>Takes new sessions whenever its checks allow.</summary>
    Ready,

    /// <summary>No new sessions; established ones stay and checks go on (haproxy DRAIN), so the server still shows
    /// whether it is healthy while its sessions run out.</summary>
    Drain,

    /// <summary>No new sessions and no checks (haproxy MAINT); established sessions stay, as in haproxy, where cutting
    /// them is a separate command. The server counts as down for balancing.</summary>
    Maint,
}
