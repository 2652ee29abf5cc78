using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>One server's state for status output and metrics.</summary>
/// <param name="Backend">Backend name.</param>
/// <param name="Server">Server name.</param>
/// <param name="EndPoint">Server address.</param>
/// <param name="Usable">Takes new sessions now (own check and, when grouped, its host's other ports).</param>
/// <param name="CheckUp">Its own active check verdict.</param>
/// <param name="Checked">Whether an active check runs.</param>
/// <param name="Backup">Backup server.</param>
/// <param name="Weight">Configured weight.</param>
/// <param name="LastCheckStatus">L4OK / L4CON / L4TOUT / ..., null before the first check.</param>
/// <param name="LastCheckDuration">Duration of the last completed check, null before the first.</param>
/// <param name="Counters">Live counters.</param>
/// <param name="AdminState">The operator's state (drain, maint), ready by default.</param>
public sealed record ServerStatus(
    string Backend,
    string Server,
    IPEndPoint EndPoint,
    bool Usable,
    bool CheckUp,
    bool Checked,
    bool Backup,
    int Weight,
    string? LastCheckStatus,
    TimeSpan? LastCheckDuration,
    Counters.ServerCounters Counters,
    ServerAdminState AdminState = ServerAdminState.Ready);
