using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// The setup cloudcore-lb replaces, in the lab: the seed's keepalived.conf and haproxy.cfg (Debian's keepalived 2.2
/// and haproxy 2.6) on every master, for figures measured side by side with ours.
/// </summary>
internal static class SeedSetup
{
    /// <summary>keepalived with the seed's keepalived.conf: node1 MASTER at 100, the others BACKUP below it.</summary>
    public static LabProcess StartKeepalived(NetnsLab lab, LabNode node, string script) =>
        lab.StartKeepalived(node, lab.WriteFile($"keepalived-{node.Name}.conf",
            LabConfigs.SeedKeepalived(node.Index == 1 ? "MASTER" : "BACKUP", 101 - node.Index, script, $"lb0{node.Index}")));

    /// <summary>Debian's haproxy in the foreground (-db, as under systemd) in the node's namespace.</summary>
    public static LabProcess StartHaproxy(NetnsLab lab, LabNode node, string config, params string[] extra) =>
        lab.Start(node, $"haproxy@{node.Name}", "haproxy", ["-f", config, "-db", .. extra], env: null);

    /// <summary>Waits until haproxy process <paramref name="pid"/> listens on the hub's frontend port.</summary>
    public static void WaitForListener(LabNode node, int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Shell.RunChecked("ip", ["netns", "exec", node.Netns, "ss", "-Hltnp", "sport = :10010"], check: false).Output
            .Contains($"pid={pid},", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"haproxy {pid} never listened on {node.Name}:10010");
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// The seed's haproxy.cfg (docs/design/cloudcore-ha.md) but for what a namespace lab cannot have: no chroot, user,
    /// daemon mode, syslog or stats socket.
    /// </summary>
    public static string SeedHaproxy(IReadOnlyList<LabNode> masters)
    {
        var sb = new System.Text.StringBuilder("""
            global
                maxconn 4000

            defaults
                mode                    http
                option                  dontlognull
                option                  http-server-close
                option                  redispatch
                retries                 3
                timeout http-request    10s
                timeout queue           1m
                timeout connect         10s
                timeout client          1m
                timeout server          1m
                timeout http-keep-alive 10s
                timeout check           10s
                maxconn                 3000

            """);
        foreach (var (frontend, cloudcore) in LabConfigs.SeedPorts)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"frontend http_{cloudcore}_front");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    bind *:{frontend}");
            sb.AppendLine("    mode tcp");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    default_backend http_{cloudcore}_back");
            sb.AppendLine(CultureInfo.InvariantCulture, $"backend http_{cloudcore}_back");
            sb.AppendLine("    balance source");
            sb.AppendLine("    mode tcp");
            foreach (var m in masters)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    server cc{m.Index} {m.Address}:{cloudcore} check inter 2000 rise 2 fall 5");
            }
        }

        return sb.ToString();
    }
}
