namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>vrrp_sync_group</c> block: its members, and the tracked interfaces keepalived adds to each member.</summary>
internal sealed record KeepalivedSyncGroup(string Name, string File, int Line)
{
    public List<(string Instance, int Line)> Instances { get; } = [];

    public List<KeepalivedTrackInterface> TrackInterfaces { get; } = [];

    /// <summary>Group notify commands by transition (<c>master</c>, <c>backup</c>, <c>fault</c>, <c>stop</c>, <c>any</c>).</summary>
    public SortedDictionary<string, string> Notify { get; } = new(StringComparer.Ordinal);
}
