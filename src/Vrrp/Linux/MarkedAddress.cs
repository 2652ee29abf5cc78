namespace CloudCoreLb.Vrrp.Linux;

/// <summary>An address found on an interface with our IFA_PROTO mark (<see cref="NetlinkVipManager.AddressProtocol"/>).</summary>
internal readonly record struct MarkedAddress(string InterfaceName, int InterfaceIndex, VirtualAddress Address, string? Label)
{
    /// <inheritdoc />
    public override string ToString() => $"{Address} dev {InterfaceName}{(Label is null ? "" : $" label {Label}")}";
}
