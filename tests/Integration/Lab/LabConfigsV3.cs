using System.Globalization;
using System.Text;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>The lab's instance in VRRPv3 (RFC 5798): keepalived's <c>vrrp_version 3</c> and our <c>version: 3</c>.</summary>
internal static class LabConfigsV3
{
    /// <summary>keepalived in v3 mode for the seed's instance, without authentication (v3 has none).</summary>
    public static string Keepalived(string state, int priority, TimeSpan advertInterval, string routerId = "lb01") => $$"""
        global_defs {
          router_id {{routerId}}
          vrrp_version 3
          vrrp_mcast_group4 224.0.0.19
        }
        vrrp_instance CloudCore {
          state {{state}}
          interface eth0
          virtual_router_id 167
          priority {{priority}}
          advert_int {{advertInterval.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)}}
          virtual_ipaddress {
            10.10.102.242/24
          }
        }
        """;

    /// <summary>Our config for the same instance; one file for every node, priorities per node name.</summary>
    public static string Daemon(IReadOnlyDictionary<string, int> priorities, TimeSpan advertInterval)
    {
        var sb = new StringBuilder();
        sb.AppendLine("vrrp:");
        sb.AppendLine("  instances:");
        sb.AppendLine("    - name: CloudCore");
        sb.AppendLine("      version: 3");
        sb.AppendLine("      interface: eth0");
        sb.AppendLine("      virtual_router_id: 167");
        sb.AppendLine(CultureInfo.InvariantCulture, $"      advert_int: {advertInterval.TotalMilliseconds}ms");
        sb.AppendLine("      multicast_group: 224.0.0.19");
        sb.AppendLine("      virtual_addresses: [ 10.10.102.242/24 ]");
        sb.AppendLine("      nodes:");
        foreach (var (node, priority) in priorities)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"        {node}: {{ priority: {priority} }}");
        }

        return sb.ToString();
    }

    /// <summary>RFC 5798 §6.1 Skew_Time = ((256 - Priority) x Master_Adver_Interval) / 256, whole microseconds.</summary>
    public static TimeSpan Skew(int priority, TimeSpan interval) =>
        TimeSpan.FromTicks((256 - priority) * (interval.Ticks / TimeSpan.TicksPerMicrosecond) / 256 * TimeSpan.TicksPerMicrosecond);

    /// <summary>Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time.</summary>
    public static TimeSpan MasterDown(int priority, TimeSpan interval) => (3 * interval) + Skew(priority, interval);
}
