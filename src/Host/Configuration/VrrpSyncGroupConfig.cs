using CloudCoreLb.HealthCheck.Collections;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A configured sync group (<c>vrrp.sync_groups[]</c>, keepalived <c>vrrp_sync_group</c>): instances that change state together.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Instances">Member instance names.</param>
/// <param name="Notify">Commands run when the group's state changes (keepalived's group notify scripts).</param>
internal sealed record VrrpSyncGroupConfig(string Name, ValueList<string> Instances, NotifyCommands Notify);
