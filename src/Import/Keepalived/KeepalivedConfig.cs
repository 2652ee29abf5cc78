namespace CloudCoreLb.Import.Keepalived;

/// <summary>What the importer understood of one keepalived.conf (with its includes).</summary>
internal sealed record KeepalivedConfig(string File)
{
    public string? RouterId { get; set; }

    public string? MulticastGroup { get; set; }

    /// <summary><c>vrrp_mcast_group6</c>: the IPv6 group of v3 IPv6 instances; IPv4 instances never use it.</summary>
    public string? MulticastGroup6 { get; set; }

    /// <summary><c>vrrp_version</c>: the default of every instance; null is keepalived's 2.</summary>
    public int? Version { get; set; }

    /// <summary><c>vrrp_strict</c>.</summary>
    public bool Strict { get; set; }

    /// <summary><c>vrrp_higher_prio_send_advert</c>: the default of every instance; null is keepalived's off.</summary>
    public bool? HigherPrioritySendAdvert { get; set; }

    public string? ScriptUser { get; set; }

    public bool EnableScriptSecurity { get; set; }

    public KeepalivedGarp Garp { get; } = new();

    public List<KeepalivedScript> Scripts { get; } = [];

    public List<KeepalivedInstance> Instances { get; } = [];

    public List<KeepalivedSyncGroup> SyncGroups { get; } = [];
}
