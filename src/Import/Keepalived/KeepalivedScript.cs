namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>vrrp_script</c> block. Unset values keep keepalived's defaults (interval 1 s, rise/fall 1, weight 0).</summary>
internal sealed record KeepalivedScript(string Name, string File, int Line)
{
    public string? Script { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan? Timeout { get; set; }

    public int Weight { get; set; }

    public int Rise { get; set; } = 1;

    public int Fall { get; set; } = 1;

    public string? User { get; set; }

    public bool InitFail { get; set; }
}
