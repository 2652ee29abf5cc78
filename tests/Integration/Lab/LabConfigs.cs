using System.Text;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>Config files for the lab: the seed's keepalived.conf and our YAML for the same topology.</summary>
internal static class LabConfigs
{
    /// <summary>
    /// The seed's keepalived.conf (docs/design/cloudcore-ha.md), verbatim but for the state/priority lines and the script path,
    /// which points at a stand-in for health_check.sh (the lab has no CloudCore to netstat for).
    /// </summary>
    public static string SeedKeepalived(string state, int priority, string scriptPath, string routerId = "lb01") => $$"""
        ! Configuration File for keepalived

        global_defs {
          router_id {{routerId}}
          vrrp_mcast_group4 224.0.0.19
        }
        # Health Check
        vrrp_script health_check {
          script "{{scriptPath}}" # the script for health check
          interval 2
          weight -5
          fall 3
          rise 5
        }
        vrrp_instance CloudCore {
          state {{state}}
          interface eth0 # based on your host
          virtual_router_id 167 # must same as BACKUP
          priority {{priority}}
          advert_int 1
          authentication {
            auth_type PASS
            auth_pass 1111
          }
          virtual_ipaddress {
            10.10.102.242/24 # VIP
          }
          track_script {
            health_check
         }
        }
        """;

    /// <summary>Our config for the seed's VRRP instance; one file for every node, priorities chosen per node name.</summary>
    public static string Daemon(IReadOnlyDictionary<string, int> priorities, string? unicastPeers = null, string extra = "")
    {
        var sb = new StringBuilder();
        sb.AppendLine("vrrp:");
        sb.AppendLine("  instances:");
        sb.AppendLine("    - name: CloudCore");
        sb.AppendLine("      interface: eth0");
        sb.AppendLine("      virtual_router_id: 167");
        sb.AppendLine("      advert_int: 1s");
        sb.AppendLine("      authentication: { type: pass, password: \"1111\" }");
        sb.AppendLine("      multicast_group: 224.0.0.19");
        sb.AppendLine("      virtual_addresses: [ 10.10.102.242/24 ]");
        if (unicastPeers is not null)
        {
            sb.AppendLine("      unicast:");
            sb.AppendLine($"        peers: [ {unicastPeers} ]");
        }

        sb.Append(extra);
        sb.AppendLine("      nodes:");
        foreach (var (node, priority) in priorities)
        {
            sb.AppendLine($"        {node}: {{ priority: {priority} }}");
        }

        return sb.ToString();
    }

    /// <summary>A health_check.sh stand-in that always succeeds, mode 0755.</summary>
    public static string HealthyScript(NetnsLab lab)
    {
        var path = lab.WriteFile("health_check.sh", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>CloudCore's four TCP ports and the seed's frontend for each (haproxy.cfg: 10010 -> 10000, ...).</summary>
    public static readonly (int Frontend, int CloudCore)[] SeedPorts = [(10010, 10000), (10012, 10002), (10013, 10003), (10014, 10004)];

    /// <summary>
    /// The seed's haproxy.cfg as our <c>proxy:</c> section, with the lab's masters as servers; the seed's connection
    /// limits (4000 in all, 3000 per frontend) unless a test holds more sessions than they allow.
    /// </summary>
    public static string SeedProxy(IReadOnlyList<LabNode> masters, string check = "{ interval: 2s, rise: 2, fall: 5 }", int maxConnections = 4000, int frontendMaxConnections = 3000)
    {
        var sb = new StringBuilder();
        sb.AppendLine("proxy:");
        sb.AppendLine($"  max_connections: {maxConnections}");
        sb.AppendLine("  frontends:");
        foreach (var (frontend, cloudcore) in SeedPorts)
        {
            sb.AppendLine($"    - {{ name: http_{cloudcore}_front, bind: \"*:{frontend}\", backend: http_{cloudcore}_back, max_connections: {frontendMaxConnections} }}");
        }

        sb.AppendLine("  backends:");
        foreach (var (_, cloudcore) in SeedPorts)
        {
            sb.AppendLine($"    - name: http_{cloudcore}_back");
            sb.AppendLine("      balance: source");
            sb.AppendLine("      retries: 3");
            sb.AppendLine("      timeouts: { connect: 10s, server: 1m }");
            sb.AppendLine($"      check: {check}");
            sb.AppendLine("      servers:");
            foreach (var m in masters)
            {
                sb.AppendLine($"        - {{ name: cc{m.Index}, address: \"{m.Address}:{cloudcore}\" }}");
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Starts the CloudCore stand-in (greets with its node name, then echoes) on CloudCore's four TCP ports, and with
    /// <paramref name="quic"/> on UDP 10001 too (answers each datagram with its name).
    /// </summary>
    public static LabProcess StartCloudCore(NetnsLab lab, LabNode node, bool quic = false)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Lab", "cloudcore_standin.py");
        return quic
            ? lab.Start(node, $"cloudcore@{node.Name}", "python3", script, node.Name, "10000", "10002", "10003", "10004", "u10001")
            : lab.Start(node, $"cloudcore@{node.Name}", "python3", script, node.Name, "10000", "10002", "10003", "10004");
    }

    /// <summary>Starts the CloudCore stand-in on every node and waits until each listens.</summary>
    public static void StartCloudCores(NetnsLab lab)
    {
        foreach (var node in lab.Nodes)
        {
            Assert.True(StartCloudCore(lab, node).WaitForOutput("listening", TimeSpan.FromSeconds(60)), $"the CloudCore stand-in on {node.Name} never listened");
        }
    }

    /// <summary>
    /// Starts the edge client: one new connection to VIP:port (or <paramref name="host"/>:port) every interval for the
    /// duration, or until <paramref name="stopFile"/> exists when given.
    /// </summary>
    public static LabProcess StartClient(NetnsLab lab, int port, TimeSpan duration, int intervalMs = 50, string? stopFile = null, string host = NetnsLab.Vip) =>
        lab.Start(lab.Client!, "edge-client", "python3",
            [Path.Combine(AppContext.BaseDirectory, "Lab", "lab_client.py"), host, port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), intervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-", .. stopFile is null ? Array.Empty<string>() : [stopFile]], env: null);

    /// <summary>Parses the client's summary line: ok=N fail=M connect_fail=C backends=... failures=...</summary>
    public static (int Ok, int Fail, int ConnectFail, string Line) ClientSummary(LabProcess client)
    {
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(60)), "the edge client did not finish");
        var line = client.Output.Split('\n').LastOrDefault(l => l.StartsWith("ok=", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no summary from the client:\n{client.Output}");
        var fields = line.Split(' ');
        return (int.Parse(fields[0][3..], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(fields[1][5..], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(fields[2][13..], System.Globalization.CultureInfo.InvariantCulture), line);
    }

    /// <summary>When each failed attempt started, relative to the client's start (from its failures=t:kind,... field).</summary>
    public static IEnumerable<TimeSpan> ClientFailureTimes(string summary)
    {
        var field = summary.Split(' ').FirstOrDefault(f => f.StartsWith("failures=", StringComparison.Ordinal))?["failures=".Length..] ?? "";
        return field.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => TimeSpan.FromSeconds(double.Parse(f.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)));
    }
}
