using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>A virtual IPv4 address with the prefix length it is added with (keepalived default /32).</summary>
/// <param name="Address">The address.</param>
/// <param name="PrefixLength">Prefix length it is added with.</param>
/// <param name="Device">Interface the address is added to and announced on (keepalived <c>dev</c>) when it is not the
/// instance's own. <remarks>Defaults to the instance's interface.</remarks></param>
public readonly record struct VirtualAddress(IPAddress Address, int PrefixLength, string? Device = null)
{
    /// <inheritdoc />
    public override string ToString() => Device is null ? $"{Address}/{PrefixLength}" : $"{Address}/{PrefixLength} dev {Device}";
}
