namespace CloudCoreLb.Host.Status;

/// <summary>One file of the status page as served.</summary>
internal sealed record StatusPageAsset(string ContentType, byte[] Content);
