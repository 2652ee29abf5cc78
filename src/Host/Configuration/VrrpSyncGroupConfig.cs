using CloudCoreLb.HealthCheck.Collections;

namespace CloudCoreLb.Host.Configuration;

/// <summary>A configured sync group (<c>vrrp.sync_groups[]</c>, keepalived <c>vrrp_sync_group</c>): instances that change state together.</summary>
internal sealed record VrrpSyncGroupConfig(string Name, ValueList<string> Instances);
