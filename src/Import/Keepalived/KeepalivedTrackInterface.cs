namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>track_interface</c> entry: <c>name [weight W]</c>.</summary>
internal sealed record KeepalivedTrackInterface(string Name, int Weight, int Line);
