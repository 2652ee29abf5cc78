namespace CloudCoreLb.Import.Keepalived;

/// <summary>keepalived keywords that are not carried over, each with the reason an operator gets.</summary>
internal sealed partial class KeepalivedParser
{
    // keepalived features with no cloudcore-lb equivalent, and why an operator should care.
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["virtual_server"] = "LVS virtual servers are not supported; use proxy.frontends/backends",
        ["virtual_server_group"] = "LVS virtual servers are not supported; use proxy.frontends/backends",
        ["static_ipaddress"] = "static addresses are not managed by cloudcore-lb",
        ["static_routes"] = "static routes are not managed by cloudcore-lb",
        ["static_rules"] = "static rules are not managed by cloudcore-lb",
        ["vrrp_track_process"] = "process tracking is not supported; use a 'listener' check",
        ["vrrp_track_file"] = "file tracking is not supported",
        ["track_file"] = "file tracking is not supported",
        ["track_process"] = "process tracking is not supported; use a 'listener' check",
        ["track_bfd"] = "BFD tracking is not supported",
        ["bfd_instance"] = "BFD is not supported",
        ["use_vmac"] = "VMAC interfaces are not supported; the VIP uses the interface's own MAC",
        ["vmac_xmit_base"] = "VMAC interfaces are not supported",
        ["strict_mode"] = "per-instance strict mode is not supported; vrrp.strict (keepalived's global vrrp_strict) applies to every instance",
        ["notify_deleted"] = "notify_deleted is not supported",
        ["notify_master_rx_lower_pri"] = "notify_master_rx_lower_pri is not supported",
        ["vrrp_notify_fifo"] = "notify FIFOs are not supported; notify scripts run in transition order",
        ["notify_fifo"] = "notify FIFOs are not supported; notify scripts run in transition order",
        ["smtp_alert"] = "SMTP alerts are not supported",
        ["notification_email"] = "SMTP alerts are not supported",
        ["notification_email_from"] = "SMTP alerts are not supported",
        ["smtp_server"] = "SMTP alerts are not supported",
        ["smtp_connect_timeout"] = "SMTP alerts are not supported",
        ["virtual_ipaddress_excluded"] = "excluded addresses are not supported",
        ["virtual_routes"] = "virtual routes are not supported",
        ["virtual_rules"] = "virtual rules are not supported",
        ["vrrp_check_unicast_src"] = "not supported",
        ["vrrp_startup_delay"] = "not supported",
        ["vrrp_garp_interval"] = "not supported",
        ["vrrp_gna_interval"] = "not supported",
        ["garp_interval"] = "not supported",
        ["unicast_ttl"] = "not supported",
        ["dont_track_primary"] = "not supported",
        ["vrrp_skip_check_adv_addr"] = "not supported (adverts with another VIP list are accepted)",
    };

    private void NotCarried(KeepalivedNode node)
    {
        var message = Unsupported.TryGetValue(node.Keyword, out var why)
            ? $"'{node.Keyword}' is not carried over: {why}"
            : $"unknown keyword '{node.Keyword}' (keepalived skips it with only a log line); not carried over";
        Warn(node, message);
    }
}
