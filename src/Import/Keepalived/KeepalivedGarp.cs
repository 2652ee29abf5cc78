namespace CloudCoreLb.Import.Keepalived;

/// <summary>keepalived's gratuitous ARP settings (<c>vrrp_garp_*</c> globally, <c>garp_*</c> per instance).</summary>
internal sealed record KeepalivedGarp
{
    public int? MasterRepeat { get; set; }

    public TimeSpan? MasterDelay { get; set; }

    public TimeSpan? MasterRefresh { get; set; }

    public int? MasterRefreshRepeat { get; set; }

    public int? LowerPriorityRepeat { get; set; }

    public TimeSpan? LowerPriorityDelay { get; set; }

    /// <summary>Instance values win over global ones, as in keepalived.</summary>
    public KeepalivedGarp Over(KeepalivedGarp global) => new()
    {
        MasterRepeat = MasterRepeat ?? global.MasterRepeat,
        MasterDelay = MasterDelay ?? global.MasterDelay,
        MasterRefresh = MasterRefresh ?? global.MasterRefresh,
        MasterRefreshRepeat = MasterRefreshRepeat ?? global.MasterRefreshRepeat,
        LowerPriorityRepeat = LowerPriorityRepeat ?? global.LowerPriorityRepeat,
        LowerPriorityDelay = LowerPriorityDelay ?? global.LowerPriorityDelay,
    };
}
