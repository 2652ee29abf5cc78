using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>One parsed keepalived.conf and the node name its values go under.</summary>
internal sealed record ImportSource(string NodeName, KeepalivedConfig Config);
