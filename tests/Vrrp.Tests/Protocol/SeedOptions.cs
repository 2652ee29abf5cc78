using System.Net;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>The seed keepalived instance (docs/design/cloudcore-ha.md): VRID 167, PASS "1111", VIP 10.10.102.242/24, group 224.0.0.19.</summary>
internal static class SeedOptions
{
    public static readonly IPAddress Vip = IPAddress.Parse("10.10.102.242");

    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.19");

    public static VrrpInstanceOptions Create(byte priority = 100) => new()
    {
        Name = "VI_1",
        VirtualRouterId = 167,
        Priority = priority,
        AuthType = VrrpAuthType.SimpleText,
        AuthPassword = "1111",
        MulticastGroup = Group,
        VirtualAddresses = [new VirtualAddress(Vip, 24)],
    };
}
