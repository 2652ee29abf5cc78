using System.Net;
using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Vrrp.Router;

namespace CloudCoreLb.Vrrp;

/// <summary>What an instance is doing now, read without taking its lock (status, metrics, tests).</summary>
/// <param name="Name">Instance name.</param>
/// <param name="State">Current VRRP state.</param>
/// <param name="EffectivePriority">Priority advertised now: configured priority adjusted by tracking.</param>
/// <param name="SourceAddress">The address adverts leave from (the tie-break identity).</param>
/// <param name="LastMasterAddress">Source of the last accepted advert (ours while master); null until one is known.</param>
/// <param name="LastMasterPriority">Priority of the last accepted advert.</param>
/// <param name="ConfigurationFault">The last configuration mismatch seen with a peer, or null.</param>
/// <param name="Counters">The instance's counters.</param>
/// <param name="Tracking">Every tracked check with its state and contribution.</param>
/// <param name="Held">Held by the operator (<c>vrrp hold</c> or a completed handover): priority 1 until released.</param>
public sealed record VrrpInstanceSnapshot(
    string Name,
    VrrpState State,
    int EffectivePriority,
    IPAddress SourceAddress,
    IPAddress? LastMasterAddress,
    int LastMasterPriority,
    string? ConfigurationFault,
    VrrpCountersSnapshot Counters,
    IReadOnlyList<TrackedCheckStatus> Tracking,
    bool Held = false)
{
    /// <summary>The sync group the instance belongs to, or null.</summary>
    public string? SyncGroup { get; init; }

    /// <summary>Every tracked interface (<c>track_interface</c>) with whether it is up now.</summary>
    public IReadOnlyList<(VrrpTrackedInterface Interface, bool Up)> TrackedInterfaces { get; init; } = [];

    /// <summary>The last state change and when it happened; null before the instance started.</summary>
    public VrrpStampedStateChange? LastTransition { get; init; }
}
