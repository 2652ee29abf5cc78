namespace CloudCoreLb.Host.Configuration;

/// <summary>One <c>track:</c> entry of a VRRP instance: a check and an optional weight override.</summary>
internal sealed record TrackReference(string Check, int? Weight);
