namespace CloudCoreLb.Import.Keepalived;

/// <summary>A <c>virtual_ipaddress</c> entry: <c>ip[/len] [dev X] [label L]</c> (other options are warned about).</summary>
internal sealed record KeepalivedVirtualAddress(string Address, string? Device, string? Label, int Line);
