using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Hosting;

namespace CloudCoreLb.Host.Status;

/// <summary>Builds <see cref="DaemonStatus"/> from the running services.</summary>
internal sealed class StatusProvider(ConfigState config, VrrpService vrrp, ProxyService proxy, CloudCoreLb.Host.Handover.ProcessLineage lineage)
{
    /// <summary>Flows listed per UDP frontend; the rest are counted only (a hub may hold tens of thousands).</summary>
    internal const int MaxFlowsListed = 200;

    public DaemonStatus Get()
    {
        var instances = vrrp.Instances.Select(i =>
        {
            var o = i.Config.Options;
            var s = i.Handle.Snapshot();
            var c = s.Counters;
            var last = s.LastTransition;
            return new VrrpInstanceStatus(
                o.Name, o.Interface, o.VirtualRouterId, s.State.ToString(), o.Priority, s.EffectivePriority,
                s.LastMasterAddress?.ToString(), s.LastMasterPriority, s.ConfigurationFault,
                o.VirtualAddresses.Select(v => v.ToString()).ToArray(),
                s.Tracking.Select(t => new TrackedCheckView(t.Name, t.Weight, t.State.ToString(), t.Contribution)).ToArray(),
                c.AdvertsSent, c.AdvertsReceived,
                c.Drops.Where(d => d.Value > 0).ToDictionary(d => d.Key.ToString(), d => d.Value),
                last is null ? null : new TransitionView(last.Change.From.ToString(), last.Change.To.ToString(), last.Change.Reason.ToString(), last.Change.Detail, last.At),
                s.Held,
                s.SyncGroup,
                s.TrackedInterfaces.Select(t => new TrackedInterfaceView(t.Interface.Name, t.Interface.Weight, t.Up)).ToArray());
        }).ToArray();
        var groups = vrrp.SyncGroups.Select(g => new SyncGroupView(g.Name, g.State.ToString(), g.Instances, g.Syncs)).ToArray();

        var frontends = proxy.Runtime.IsRunning
            ? proxy.Runtime.GetFrontendStatus().Select(f => new FrontendStatusView(f.Frontend, f.EndPoint.ToString(), f.Backend, f.Counters.Active, f.Counters.Total, f.MaxConnections)).ToArray()
            : [];
        var servers = proxy.Runtime.IsRunning
            ? proxy.Runtime.GetServerStatus().Select(s => new ServerStatusView(s.Backend, s.Server, s.EndPoint.ToString(), s.CheckUp, s.Usable, s.Backup, s.LastCheckStatus, s.Counters.Active, s.Counters.Total, s.Counters.ConnectErrors, s.AdminState.ToString().ToLowerInvariant())).ToArray()
            : [];
        var current = config.Current;
        return new DaemonStatus(BuildInfo.Version, current.NodeName, current.SourceFile, lineage.StartedAt, Environment.ProcessId, lineage.Generation, lineage.ProcessStartedAt, instances, frontends, servers, groups, UdpFlows());
    }

    private UdpFlowsView[] UdpFlows()
    {
        if (!proxy.Runtime.IsRunning)
        {
            return [];
        }

        // Read on the frontends' loops; the control socket's thread waits, bounded, for the copy.
        var list = proxy.Runtime.GetUdpFlowsAsync(MaxFlowsListed, TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        return [.. list.Totals.Select(t => new UdpFlowsView(t.Key, t.Value, [.. list.Flows
            .Where(f => f.Frontend == t.Key)
            .Select(f => new UdpFlowView(f.Client.ToString(), f.Server is null ? null : $"{f.Backend}/{f.Server}", Math.Round(f.Idle.TotalSeconds, 1)))]))];
    }
}
