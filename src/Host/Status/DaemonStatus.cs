using System.Text.Json.Serialization;

namespace CloudCoreLb.Host.Status;

/// <summary>What <c>cloudcore-lb status</c> shows: read from the running daemon over its control socket.</summary>
internal sealed record DaemonStatus(
    string Version,
    string Node,
    string ConfigFile,
    DateTimeOffset StartedAt,
    int Pid,
    int Generation,
    DateTimeOffset ProcessStartedAt,
    IReadOnlyList<VrrpInstanceStatus> Instances,
    IReadOnlyList<FrontendStatusView> Frontends,
    IReadOnlyList<ServerStatusView> Servers,
    IReadOnlyList<SyncGroupView>? SyncGroups = null,
    IReadOnlyList<UdpFlowsView>? UdpFlows = null);

internal sealed record VrrpInstanceStatus(
    string Name,
    string Interface,
    int VirtualRouterId,
    string State,
    int Priority,
    int EffectivePriority,
    string? LastMaster,
    int LastMasterPriority,
    string? ConfigurationFault,
    IReadOnlyList<string> VirtualAddresses,
    IReadOnlyList<TrackedCheckView> Tracking,
    long AdvertsSent,
    long AdvertsReceived,
    IReadOnlyDictionary<string, long> Drops,
    TransitionView? LastTransition,
    bool Held = false,
    string? SyncGroup = null,
    IReadOnlyList<TrackedInterfaceView>? TrackedInterfaces = null);

/// <summary>A sync group: its state (Fault while any member is, Master when all are) and members.</summary>
internal sealed record SyncGroupView(string Name, string State, IReadOnlyList<string> Instances, long Syncs);

/// <summary>A tracked interface (<c>track_interfaces</c>) with its weight and link state.</summary>
internal sealed record TrackedInterfaceView(string Name, int Weight, bool Up);

/// <summary>The instance's last state change: states, stable reason, detail, and when (null before the first).</summary>
internal sealed record TransitionView(string From, string To, string Reason, string Detail, DateTimeOffset At);

internal sealed record TrackedCheckView(string Name, int Weight, string State, int Contribution);

internal sealed record FrontendStatusView(string Name, string Bind, string Backend, long Active, long Total, int MaxConnections);

/// <summary>A UDP frontend's flows: how many it holds and the most recently active of them (at most a status page's worth).</summary>
internal sealed record UdpFlowsView(string Frontend, int Total, IReadOnlyList<UdpFlowView> Flows);

/// <summary>One UDP flow: client address and port, its server (backend/name, null between a refusal and its next datagram) and idle time.</summary>
internal sealed record UdpFlowView(string Client, string? Server, double IdleSeconds);

internal sealed record ServerStatusView(string Backend, string Name, string Address, bool Up, bool Usable, bool Backup, string? LastCheck, long Active, long Total, long ConnectErrors, string Admin = "ready");

/// <summary>Source-generated JSON for the status document (no reflection: the binary is AOT-compiled).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DaemonStatus))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
