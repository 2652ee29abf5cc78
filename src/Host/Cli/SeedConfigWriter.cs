using System.Globalization;
using System.Text;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// Writes the KubeEdge CloudCore HA setup (docs/design/cloudcore-ha.md: keepalived's instance and haproxy's four TCP
/// frontends) as one cloudcore-lb.yaml for every master, with one change of meaning: the VIP follows the proxy's
/// ability to serve, not the local CloudCore (<c>type: proxy</c>).
/// </summary>
internal static class SeedConfigWriter
{
    /// <summary>The highest priority; each further master gets one less (keepalived's seed: 100, 99, 98).</summary>
    public const int TopPriority = 100;

    /// <summary>
    /// What a node that cannot serve loses: more than the whole priority spread, so every master that can serve
    /// outranks it, and it stays above 0, so when none can serve one still holds the VIP.
    /// </summary>
    public const int NotServingWeight = -50;

    /// <summary>The name of the tracked check.</summary>
    public const string CheckName = "proxy_can_serve";

    /// <summary>haproxy.cfg's ports in the seed: edge-facing frontend, then CloudCore's own port.</summary>
    public static readonly (int Frontend, int CloudCore)[] Ports = [(10010, 10000), (10012, 10002), (10013, 10003), (10014, 10004)];

    public static string Write(InitArguments a)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var keys = a.NodeKeys;
        sb.AppendLine("# cloudcore-lb for KubeEdge CloudCore HA, written by `cloudcore-lb init`: keepalived's VRRP instance and");
        sb.AppendLine("# haproxy's four TCP frontends of the KubeEdge guide in one file. The same file goes to every master.");
        sb.AppendLine(inv, $"# Masters: {string.Join(", ", a.Masters)}; VIP {a.Vip} on {a.Interface}.");
        if (a.Names is null)
        {
            sb.AppendLine("# Nodes are keyed by address: start each master with `--node ITS_ADDRESS` (or run init again with");
            sb.AppendLine("# --names HOST,HOST,... to key them by host name, the daemon's default node name).");
        }

        sb.AppendLine("# Check it with `cloudcore-lb check --config FILE [--node NAME]`. Status page: http://127.0.0.1:9842/status");
        sb.AppendLine("vrrp:");
        sb.AppendLine("  instances:");
        sb.AppendLine("    - name: CloudCore");
        sb.AppendLine(inv, $"      interface: {a.Interface}");
        sb.AppendLine(inv, $"      virtual_router_id: {a.VirtualRouterId}");
        sb.AppendLine("      advert_int: 1s");
        sb.AppendLine(inv, $"      authentication: {{ type: pass, password: \"{a.Password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\" }}");
        sb.AppendLine("      multicast_group: 224.0.0.19");
        sb.AppendLine(inv, $"      virtual_addresses: [ {a.Vip} ]");
        sb.AppendLine("      track:");
        sb.AppendLine("        # This node's proxy cannot serve (a frontend not listening, or no CloudCore up behind one): its priority");
        sb.AppendLine("        # drops below every master that can, and the VIP moves. A dead local CloudCore alone does not move it:");
        sb.AppendLine("        # the proxy redispatches to the other masters' CloudCores.");
        sb.AppendLine(inv, $"        - {{ check: {CheckName}, weight: {NotServingWeight} }}");
        sb.AppendLine("      nodes:");
        for (var i = 0; i < keys.Count; i++)
        {
            sb.AppendLine(inv, $"        \"{keys[i]}\": {{ priority: {TopPriority - i} }}");
        }

        sb.AppendLine("checks:");
        sb.AppendLine(inv, $"  {CheckName}: {{ type: proxy, interval: 500ms, rise: 2, fall: 3 }}");
        sb.AppendLine("proxy:");
        sb.AppendLine("  max_connections: 4000");
        sb.AppendLine("  frontends:");
        foreach (var (frontend, cloudcore) in Ports)
        {
            sb.AppendLine(inv, $"    - {{ name: http_{cloudcore}_front, bind: \"*:{frontend}\", backend: http_{cloudcore}_back, max_connections: 3000 }}");
        }

        sb.AppendLine("  backends:");
        foreach (var (_, cloudcore) in Ports)
        {
            sb.AppendLine(inv, $"    - name: http_{cloudcore}_back");
            sb.AppendLine("      balance: source");
            sb.AppendLine("      retries: 3");
            sb.AppendLine("      redispatch: true");
            sb.AppendLine("      timeouts: { connect: 10s, server: 1m }");
            sb.AppendLine("      check: { interval: 2s, rise: 2, fall: 5 }");
            sb.AppendLine("      servers:");
            for (var i = 0; i < a.Masters.Count; i++)
            {
                sb.AppendLine(inv, $"        - {{ name: cc{i + 1}, address: \"{a.Masters[i]}:{cloudcore}\" }}");
            }
        }

        return sb.ToString();
    }
}
