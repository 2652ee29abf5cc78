namespace CloudCoreLb.Import.Keepalived;

/// <summary>What the importer understood of one keepalived.conf (with its includes).</summary>
internal sealed record KeepalivedConfig(string File)
{
    public string? RouterId { get; set; }

    public string? MulticastGroup { get; set; }

    public string? ScriptUser { get; set; }

    public bool EnableScriptSecurity { get; set; }

    public KeepalivedGarp Garp { get; } = new();

    public List<KeepalivedScript> Scripts { get; } = [];

    public List<KeepalivedInstance> Instances { get; } = [];

    public List<KeepalivedSyncGroup> SyncGroups { get; } = [];
}
