namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>track_script</c> entry: <c>name [weight W]</c>.</summary>
internal sealed record KeepalivedTrackScript(string Name, int? Weight, int Line);
