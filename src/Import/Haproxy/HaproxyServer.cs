namespace CloudCoreLb.Import.Haproxy;

/// <summary>
/// A <c>server</c> line, or the <c>default-server</c> settings it starts from. Unset values keep haproxy's defaults
/// (check off, inter 2000, rise 2, fall 3, weight 1).
/// </summary>
internal sealed record HaproxyServer
{
    public string Name { get; init; } = "";

    public string Address { get; init; } = "";

    public int Line { get; init; }

    public bool Check { get; set; }

    public TimeSpan? Inter { get; set; }

    public TimeSpan? FastInter { get; set; }

    public TimeSpan? DownInter { get; set; }

    public int? Rise { get; set; }

    public int? Fall { get; set; }

    public int? Weight { get; set; }

    public int? Port { get; set; }

    public bool Backup { get; set; }

    public bool Disabled { get; set; }

    public string? OnMarkedDown { get; set; }

    public string? InitState { get; set; }
}
