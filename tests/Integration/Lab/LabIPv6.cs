using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// IPv6 on the lab's <c>eth0</c> for VRRPv3 over IPv6: a fixed link-local address per node, added with
/// <c>nodad</c> so it is usable at once (the kernel's own one sits tentative for about a second after link-up, and
/// VRRPv3 sends from it), and the instance of the v3 lab configs with an IPv6 VIP.
/// </summary>
internal static class LabIPv6
{
    public const string Vip = "fd00:102::242";

    /// <summary>The link-local address <see cref="UseFixedLinkLocal"/> gives a node: fe80::11 for node1.</summary>
    public static string LinkLocal(LabNode node) => $"fe80::{10 + node.Index}";

    /// <summary>Replaces the kernel's link-local address of every node's eth0 with <see cref="LinkLocal"/>, without DAD.</summary>
    public static void UseFixedLinkLocal(NetnsLab lab)
    {
        foreach (var node in lab.Nodes)
        {
            Shell.Run("ip", "netns", "exec", node.Netns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0");
            Shell.Run("ip", "-n", node.Netns, "-6", "addr", "flush", "dev", "eth0", "scope", "link");
            Shell.Run("ip", "-n", node.Netns, "-6", "addr", "add", $"{LinkLocal(node)}/64", "dev", "eth0", "nodad");
        }
    }

    /// <summary>The VIP's line in <c>ip -6 -d addr</c> on the node's eth0, or null when it is not there.</summary>
    public static string? VipLine(LabNode node) =>
        Shell.RunChecked("ip", ["-n", node.Netns, "-6", "-d", "-o", "addr", "show", "dev", "eth0"], check: false).Output
            .Split('\n').FirstOrDefault(l => l.Contains($" {Vip}/", StringComparison.Ordinal));

    /// <summary>Our config for the IPv6 instance: the v3 lab instance with VRID 168, the IPv6 VIP and the default group.</summary>
    public static string Daemon(IReadOnlyDictionary<string, int> priorities, TimeSpan advertInterval) =>
        LabConfigsV3.Daemon(priorities, advertInterval)
            .Replace("virtual_router_id: 167", "virtual_router_id: 168", StringComparison.Ordinal)
            .Replace("      multicast_group: 224.0.0.19\n", "", StringComparison.Ordinal)
            .Replace($"{NetnsLab.Vip}/24", $"{Vip}/64", StringComparison.Ordinal);

    /// <summary>keepalived 2.2 in v3 mode for the same instance.</summary>
    public static string Keepalived(string state, int priority, TimeSpan advertInterval, string routerId = "lb01") => $$"""
        global_defs {
          router_id {{routerId}}
          vrrp_version 3
        }
        vrrp_instance CloudCore {
          state {{state}}
          interface eth0
          virtual_router_id 168
          priority {{priority}}
          advert_int {{advertInterval.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)}}
          virtual_ipaddress {
            {{Vip}}/64
          }
        }
        """;
}
