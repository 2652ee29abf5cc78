using System.Text;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>Config files for the lab: the seed's keepalived.conf and our YAML for the same topology.</summary>
internal static class LabConfigs
{
    /// <summary>
    /// The seed's keepalived.conf (cloudcore-ha.md), verbatim but for the state/priority lines and the script path,
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
}
