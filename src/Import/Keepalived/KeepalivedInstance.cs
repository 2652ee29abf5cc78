namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>vrrp_instance</c> block as keepalived would read it.</summary>
internal sealed record KeepalivedInstance(string Name, string File, int Line)
{
    public string? State { get; set; }

    public string? Interface { get; set; }

    public int? VirtualRouterId { get; set; }

    public int? Priority { get; set; }

    public TimeSpan? AdvertInterval { get; set; }

    /// <summary>The instance's <c>version</c>; after parsing, resolved with <c>vrrp_version</c> (2 when neither is set).</summary>
    public int? Version { get; set; }

    /// <summary><c>accept</c> (true) or <c>no_accept</c> (false); null when neither is written.</summary>
    public bool? AcceptMode { get; set; }

    public string? AuthType { get; set; }

    /// <summary>Already truncated to the 8 bytes keepalived puts on the wire. Never printed in diagnostics.</summary>
    public string? AuthPassword { get; set; }

    public List<KeepalivedVirtualAddress> VirtualAddresses { get; } = [];

    public List<KeepalivedTrackScript> TrackScripts { get; } = [];

    public List<KeepalivedTrackInterface> TrackInterfaces { get; } = [];

    public bool NoPreempt { get; set; }

    /// <summary><c>higher_prio_send_advert</c>; null when not written (then the global default applies).</summary>
    public bool? HigherPrioritySendAdvert { get; set; }

    public TimeSpan? PreemptDelay { get; set; }

    /// <summary><c>unicast_src_ip</c> or <c>mcast_src_ip</c>: keepalived keeps both in the one source address.</summary>
    public string? SourceAddress { get; set; }

    public List<string> UnicastPeers { get; } = [];

    public KeepalivedGarp Garp { get; } = new();

    public SortedDictionary<string, string> Notify { get; } = new(StringComparer.Ordinal);

    /// <summary>keepalived's rule (§5.1): an omitted priority is 255 for <c>state MASTER</c>, else 100.</summary>
    public int EffectivePriority => Priority ?? (State == "MASTER" ? 255 : 100);
}
