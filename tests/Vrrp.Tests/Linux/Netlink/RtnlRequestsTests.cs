using System.Net;
using CloudCoreLb.Vrrp.Linux.Netlink;

namespace CloudCoreLb.Vrrp.Tests.Linux.Netlink;

public sealed class RtnlRequestsTests
{
    private static readonly VirtualAddress s_vip = new(IPAddress.Parse("192.168.77.100"), 32);

    [Fact]
    public void NewAddress_WithLabelAndProtocol_IsByteExact()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteNewAddress(buffer, sequence: 1, interfaceIndex: 2, s_vip, "eth0:vip", protocol: 0xCC);

        var expected = Convert.FromHexString(
            "40000000" + "1400" + "0506" + "01000000" + "00000000" + // nlmsghdr: len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 1, pid 0
            "02200000" + "02000000" + //                                ifaddrmsg: AF_INET, /32, flags 0, scope 0, ifindex 2
            "08000200" + "c0a84d64" + //                                IFA_LOCAL 192.168.77.100
            "08000100" + "c0a84d64" + //                                IFA_ADDRESS 192.168.77.100
            "0d000300" + "657468303a76697000" + "000000" + //           IFA_LABEL "eth0:vip\0", padded to 4
            "05000b00" + "cc" + "000000"); //                           IFA_PROTO 0xCC, padded to 4
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void NewAddress_WithoutLabelOrProtocol_Is40Bytes()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteNewAddress(buffer, 5, 7, new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24), null, 0);

        Assert.Equal(40, length);
        Assert.Equal(Convert.FromHexString("28000000140005060500000000000000021800000700000008000200" + "0a0a66f2" + "08000100" + "0a0a66f2"), buffer[..length]);
    }

    [Fact]
    public void NewAddress_WithALease_CarriesCacheInfo_AndARenewalReplacesInsteadOfFailingOnAnExistingAddress()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteNewAddress(buffer, 5, 7, new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24), null, 0, lifetimeSeconds: 2, replace: true);

        Assert.Equal(60, length);
        Assert.Equal(Convert.FromHexString(
            "3c000000" + "1400" + "0505" + "05000000" + "00000000" + // len 60, RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE
            "021800000700000008000200" + "0a0a66f2" + "08000100" + "0a0a66f2" +
            "14000600" + "02000000" + "02000000" + "00000000" + "00000000"), // IFA_CACHEINFO: preferred 2 s, valid 2 s
            buffer[..length]);
    }

    [Theory]
    [InlineData(0u, "ffffffff")]
    [InlineData(2u, "02000000")]
    public void NewAddress_ForAnIPv6HostVip_IsDeprecated_SoTheNodeNeverPicksItAsASourceAddress(uint lifetimeSeconds, string validHex)
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteNewAddress(buffer, 5, 7, new VirtualAddress(IPAddress.Parse("fd00::42"), 128), null, 0, lifetimeSeconds);

        var cacheInfo = Convert.FromHexString("14000600" + "00000000" + validHex + "00000000" + "00000000"); // preferred 0
        Assert.Equal(cacheInfo, buffer[(length - 20)..length]);
    }

    [Fact]
    public void NewAddress_ForAnIPv6PrefixVip_StaysPreferred_AndCarriesNoLifetimeWithoutALease()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteNewAddress(buffer, 5, 7, new VirtualAddress(IPAddress.Parse("fd00::42"), 64), null, 0);

        // nlmsghdr 16, ifaddrmsg 8, IFA_LOCAL 20, IFA_ADDRESS 20, IFA_FLAGS 8: no IFA_CACHEINFO.
        Assert.Equal(72, length);
    }

    [Fact]
    public void DeleteAddress_CarriesNoLabel_SoALabelMismatchCannotTurnItIntoANoOp()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteDeleteAddress(buffer, 9, 2, s_vip);

        Assert.Equal(
            Convert.FromHexString("28000000" + "1500" + "0500" + "09000000" + "00000000" + "02200000" + "02000000" + "08000200c0a84d64" + "08000100c0a84d64"),
            buffer[..length]);
    }

    [Fact]
    public void AddressDump_RequestsEveryIPv4Address()
    {
        var buffer = new byte[64];

        var length = RtnlRequests.WriteGetAddressDump(buffer, 3);

        Assert.Equal(Convert.FromHexString("18000000" + "1600" + "0103" + "03000000" + "00000000" + "0200000000000000"), buffer[..length]);
    }

    [Fact]
    public void LinkDump_IsHeaderPlusIfInfoMsg()
    {
        var buffer = new byte[64];

        var length = RtnlRequests.WriteGetLinkDump(buffer, 4);

        Assert.Equal(32, length);
        Assert.Equal(Convert.FromHexString("20000000" + "1200" + "0103" + "04000000" + "00000000"), buffer[..16]);
    }

    [Fact]
    public void GetLinkByName_CarriesTheNulTerminatedName()
    {
        var buffer = new byte[64];

        var length = RtnlRequests.WriteGetLink(buffer, 6, "eth0");

        Assert.Equal(
            Convert.FromHexString("2c000000" + "1200" + "0500" + "06000000" + "00000000" + "00000000000000000000000000000000" + "09000300" + "6574683000" + "000000"),
            buffer[..length]);
    }

    [Fact]
    public void NewAddress_WithTooSmallBuffer_Throws()
    {
        var buffer = new byte[40];

        Assert.Throws<ArgumentException>(() => RtnlRequests.WriteNewAddress(buffer, 1, 2, s_vip, "eth0:vip", 0xCC));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(-1)]
    public void NewAddress_WithAnImpossiblePrefix_Throws(int prefix)
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        Assert.Throws<ArgumentOutOfRangeException>(() => RtnlRequests.WriteNewAddress(buffer, 1, 2, s_vip with { PrefixLength = prefix }, null, 0));
    }

    [Fact]
    public void NewAddress_ForAnIPv6Vip_IsAF_INET6_WithNoDadInTheHeaderAndInIFA_FLAGS_AndNoLabel()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];
        var vip = new VirtualAddress(IPAddress.Parse("fd00::100"), 64);

        var length = RtnlRequests.WriteNewAddress(buffer, sequence: 1, interfaceIndex: 2, vip, "eth0:vip", protocol: 0xCC);

        const string address = "fd000000000000000000000000000100";
        var expected = Convert.FromHexString(
            "50000000" + "1400" + "0506" + "01000000" + "00000000" + // nlmsghdr: len 80, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 1
            "0a400200" + "02000000" + //                                ifaddrmsg: AF_INET6, /64, IFA_F_NODAD, scope 0, ifindex 2
            "14000200" + address + //                                   IFA_LOCAL fd00::100
            "14000100" + address + //                                   IFA_ADDRESS fd00::100
            "08000800" + "02000000" + //                                IFA_FLAGS IFA_F_NODAD (no IFA_LABEL: IPv4 only)
            "05000b00" + "cc" + "000000"); //                           IFA_PROTO 0xCC
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void DeleteAddress_ForAnIPv6Vip_IsAF_INET6()
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        var length = RtnlRequests.WriteDeleteAddress(buffer, 3, 2, new VirtualAddress(IPAddress.Parse("fd00::100"), 128));

        Assert.Equal(64, length);
        Assert.Equal(Convert.FromHexString("0a800000" + "02000000"), buffer[16..24]);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(129)]
    public void NewAddress_ForAnIPv6Vip_WithAPrefixOutside0To128_Throws(int prefix)
    {
        var buffer = new byte[RtnlRequests.MaxAddressRequestLength];

        Assert.Throws<ArgumentOutOfRangeException>(() => RtnlRequests.WriteNewAddress(buffer, 1, 2, new VirtualAddress(IPAddress.IPv6Loopback, prefix), null, 0));
    }
}
