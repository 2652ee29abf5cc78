using System.Net;
using System.Net.NetworkInformation;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Linux.Netlink;

namespace CloudCoreLb.Vrrp.Tests.Linux;

public sealed class InterfaceInfoTests
{
    private static readonly RtnlLink s_eth0 = new(2, 0x11043, "eth0", PhysicalAddress.Parse("52-54-00-12-34-56"), 6);

    private static RtnlAddress Address(int index, string ip, byte prefix = 24) =>
        new(2, prefix, 0, 0, index, IPAddress.Parse(ip), IPAddress.Parse(ip), null, 0);

    // IPv6 dumps carry IFA_ADDRESS only; scope 253 is RT_SCOPE_LINK.
    private static RtnlAddress Address6(int index, string ip, byte flags = 0) =>
        new(10, 64, flags, 253, index, null, IPAddress.Parse(ip), null, 0);

    [Fact]
    public void PrimaryAddress_IsTheFirstAddressOfTheInterfaceThatIsNotAVip()
    {
        RtnlAddress[] addresses =
        [
            Address(1, "127.0.0.1", 8),
            Address(2, "10.10.102.242", 32), // a VIP left behind by a crash, listed first
            Address(2, "10.10.102.10"),
            Address(2, "10.10.102.11"),
        ];

        var info = InterfaceInfo.Create(s_eth0, addresses, [IPAddress.Parse("10.10.102.242")]);

        Assert.Equal(IPAddress.Parse("10.10.102.10"), info.PrimaryAddress);
        Assert.Equal(3, info.Addresses.Count);
        Assert.Equal("eth0", info.Name);
        Assert.Equal(2, info.Index);
        Assert.True(info.IsUp);
        Assert.Equal(PhysicalAddress.Parse("52-54-00-12-34-56"), info.MacAddress);
    }

    [Fact]
    public void PrimaryAddress_IsNull_WhenOnlyVipsAreConfigured()
    {
        var info = InterfaceInfo.Create(s_eth0, [Address(2, "10.10.102.242", 32)], [IPAddress.Parse("10.10.102.242")]);

        Assert.Null(info.PrimaryAddress);
    }

    [Fact]
    public void Get_ForAMissingInterface_ThrowsWithItsName()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => InterfaceInfo.Get("ccl-no-such0", []));

        Assert.Contains("ccl-no-such0", ex.Message);
    }

    [Fact]
    public void Get_ForLoopback_ReadsIndexAndAddressFromNetlink()
    {
        var info = InterfaceInfo.Get("lo", []);

        Assert.Equal(1, info.Index);
        Assert.Contains(IPAddress.Loopback, info.Addresses);
    }

    [Fact]
    public void LinkLocalAddress_IsTheFirstUsableFe80AddressOfTheInterface_WithItsIndexAsScope()
    {
        RtnlAddress[] addresses =
        [
            Address(2, "10.10.102.10"),
            Address6(1, "fe80::1"), // another interface
            Address6(2, "2001:db8::10"), // global
            Address6(2, "fe80::aaaa", flags: 0x40), // IFA_F_TENTATIVE: duplicate address detection still running
            Address6(2, "fe80::bbbb", flags: 0x08), // IFA_F_DADFAILED
            Address6(2, "fe80::5054:ff:fe12:3456"),
        ];

        var info = InterfaceInfo.Create(s_eth0, addresses, []);

        Assert.Equal(IPAddress.Parse("fe80::5054:ff:fe12:3456%2"), info.LinkLocalAddress);
        Assert.Equal(2, info.LinkLocalAddress!.ScopeId);
        Assert.Equal([IPAddress.Parse("10.10.102.10")], info.Addresses);
    }

    [Fact]
    public void LinkLocalAddress_IsNull_WhileTheOnlyOneIsTentative()
    {
        var info = InterfaceInfo.Create(s_eth0, [Address(2, "10.10.102.10"), Address6(2, "fe80::1", flags: 0x40)], []);

        Assert.Null(info.LinkLocalAddress);
    }
}
