using System.Globalization;
using System.Text;

namespace CloudCoreLb.Host.Status;

/// <summary>The human-readable <c>status</c> output (one line per instance, frontend and server).</summary>
internal static class StatusFormatter
{
    public static string Format(DaemonStatus s)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"cloudcore-lb {s.Version} on node {s.Node}, config {s.ConfigFile}, up since {s.StartedAt:u}");
        sb.AppendLine(inv, $"process {s.Pid}, generation {s.Generation} (upgrades so far: {s.Generation - 1}), started {s.ProcessStartedAt:u}");
        sb.AppendLine("VRRP instances:");
        foreach (var i in s.Instances)
        {
            sb.AppendLine(inv, $"  {i.Name,-16} {i.State,-7} vrid {i.VirtualRouterId} on {i.Interface}  priority {i.Priority} (effective {i.EffectivePriority})  master {i.LastMaster ?? "-"} ({i.LastMasterPriority})  vips {string.Join(' ', i.VirtualAddresses)}");
            foreach (var t in i.Tracking)
            {
                sb.AppendLine(inv, $"    track {t.Name,-20} {t.State,-7} weight {t.Weight,4}  contributes {t.Contribution}");
            }

            foreach (var t in i.TrackedInterfaces ?? [])
            {
                sb.AppendLine(inv, $"    track_interface {t.Name,-10} {(t.Up ? "UP" : "DOWN"),-7} weight {t.Weight,4}");
            }

            if (i.SyncGroup is not null)
            {
                sb.AppendLine(inv, $"    sync group {i.SyncGroup}");
            }

            if (i.LastTransition is { } last)
            {
                sb.AppendLine(inv, $"    last transition {last.From} -> {last.To} at {last.At:u}: {last.Reason}{(last.Detail.Length == 0 ? "" : $" ({last.Detail})")}");
            }

            if (i.Held)
            {
                sb.AppendLine("    HELD by the operator at priority 1 ('cloudcore-lb vrrp release' restores it)");
            }

            if (i.ConfigurationFault is not null)
            {
                sb.AppendLine(inv, $"    FAULT: {i.ConfigurationFault}");
            }

            sb.AppendLine(inv, $"    adverts sent {i.AdvertsSent}, received {i.AdvertsReceived}, drops {(i.Drops.Count == 0 ? "none" : string.Join(", ", i.Drops.Select(d => $"{d.Key}={d.Value}")))}");
        }

        if (s.SyncGroups is { Count: > 0 } groups)
        {
            sb.AppendLine("VRRP sync groups:");
            foreach (var g in groups)
            {
                sb.AppendLine(inv, $"  {g.Name,-16} {g.State,-7} instances {string.Join(' ', g.Instances)}  syncs {g.Syncs}");
            }
        }

        sb.AppendLine("Frontends:");
        foreach (var f in s.Frontends)
        {
            sb.AppendLine(inv, $"  {f.Name,-20} {f.Bind,-22} -> {f.Backend,-20} active {f.Active}/{f.MaxConnections}  total {f.Total}");
        }

        sb.AppendLine("Servers:");
        foreach (var v in s.Servers)
        {
            sb.AppendLine(inv, $"  {v.Backend + "/" + v.Name,-28} {v.Address,-22} {(v.Up ? "UP" : "DOWN"),-5}{(v.Admin == "ready" ? "" : " " + v.Admin.ToUpperInvariant())}{(v.Backup ? " backup" : "")}  check {v.LastCheck ?? "-"}  active {v.Active}  total {v.Total}  connect errors {v.ConnectErrors}");
        }

        if (s.UdpFlows is { Count: > 0 } udp)
        {
            sb.AppendLine("UDP flows (per server, most recently active first):");
            foreach (var f in udp)
            {
                sb.AppendLine(inv, $"  {f.Frontend,-20} {f.Total} flows{(f.Total > f.Flows.Count ? $" ({f.Total - f.Flows.Count} more not listed)" : "")}");
                foreach (var server in f.Flows.GroupBy(v => v.Server ?? "(no server)").OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    sb.AppendLine(inv, $"    {server.Key}: {server.Count()}");
                    foreach (var flow in server)
                    {
                        sb.AppendLine(inv, $"      {flow.Client,-46} idle {flow.IdleSeconds:0.0}s");
                    }
                }
            }
        }

        return sb.ToString();
    }
}
