using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>A virtual IPv4 address with the prefix length it is added with (keepalived default /32).</summary>
public readonly record struct VirtualAddress(IPAddress Address, int PrefixLength)
{
    /// <inheritdoc />
    public override string ToString() => $"{Address}/{PrefixLength}";
}
