using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class VrrpV3AdvertisementWriterTests
{
    private static readonly IPAddress s_source4 = IPAddress.Parse("10.10.102.11");
    private static readonly IPAddress s_vip4 = IPAddress.Parse("10.10.102.242");
    private static readonly IPAddress s_source6 = IPAddress.Parse("fe80::5054:ff:fe12:3456");
    private static readonly IPAddress s_vip6 = IPAddress.Parse("2001:db8:10:102::242");

    [Fact]
    public void IPv4Advert_MatchesTheRfc5798LayoutWithThePseudoHeaderChecksum()
    {
        var message = Write(s_source4, VrrpV3Advertisement.IPv4Group, 100, [s_vip4]);

        // Version 3 type 1, VRID 167, priority 100, one address, interval 100 cs; checksum a852 computed independently.
        Assert.Equal("31 a7 64 01 00 64 a8 52 0a 0a 66 f2", Hex.Format(message));
        Assert.Equal(0, ReferenceChecksum.WithIPv4PseudoHeader(s_source4, VrrpV3Advertisement.IPv4Group, 112, message));
    }

    [Fact]
    public void IPv4AdvertInTheRfc9568Form_HasTheChecksumOfTheMessageOnly()
    {
        var message = Write(s_source4, VrrpV3Advertisement.IPv4Group, 100, [s_vip4], VrrpV3Checksum.WithoutPseudoHeader);

        Assert.Equal("31 a7 64 01 00 64 f8 f6 0a 0a 66 f2", Hex.Format(message));
        Assert.Equal(0, ReferenceChecksum.Compute(message));
    }

    [Fact]
    public void IPv6Advert_MatchesTheRfc5798LayoutWithThePseudoHeaderChecksum()
    {
        var message = Write(s_source6, VrrpV3Advertisement.IPv6Group, 10, [s_vip6]);

        // 100 ms = 10 cs; the address is 16 bytes; checksum b765 computed independently.
        Assert.Equal("31 a7 64 01 00 0a b7 65 20 01 0d b8 00 10 01 02 00 00 00 00 00 00 02 42", Hex.Format(message));
        Assert.Equal(0, ReferenceChecksum.WithIPv6PseudoHeader(s_source6, VrrpV3Advertisement.IPv6Group, 112, message));
    }

    [Fact]
    public void UnicastAdvert_ChecksumsThePseudoHeaderOfThePeerItIsSentTo()
    {
        var peer = IPAddress.Parse("10.10.102.12");

        var message = Write(s_source4, peer, 100, [s_vip4]);

        Assert.Equal(0, ReferenceChecksum.WithIPv4PseudoHeader(s_source4, peer, 112, message));
        Assert.NotEqual(Write(s_source4, VrrpV3Advertisement.IPv4Group, 100, [s_vip4]), message);
    }

    [Fact]
    public void LongestInterval_FillsTwelveBitsAndLeavesTheReservedBitsZero()
    {
        var message = Write(s_source4, VrrpV3Advertisement.IPv4Group, 4095, [s_vip4]);

        Assert.Equal(0x0F, message[4]);
        Assert.Equal(0xFF, message[5]);
        Assert.True(VrrpV3Advertisement.TryRead(message, out var advert));
        Assert.Equal(4095, advert.MaxAdvertIntervalCentiseconds);
    }

    [Fact]
    public void SeveralAddresses_KeepTheirOrderAndLength()
    {
        IPAddress[] vips = [IPAddress.Parse("2001:db8::3"), IPAddress.Parse("2001:db8::1")];

        var message = Write(s_source6, VrrpV3Advertisement.IPv6Group, 100, vips);

        Assert.Equal(8 + 32, message.Length);
        Assert.Equal(2, message[3]);
        Assert.Equal(vips[0].GetAddressBytes(), message[8..24]);
        Assert.Equal(vips[1].GetAddressBytes(), message[24..40]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    public void IntervalOutsideTwelveBits_Throws(int centiseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(s_source4, VrrpV3Advertisement.IPv4Group, (ushort)centiseconds, [s_vip4]));
    }

    [Fact]
    public void AddressOfTheOtherFamily_Throws()
    {
        Assert.Throws<ArgumentException>(() => Write(s_source4, VrrpV3Advertisement.IPv4Group, 100, [s_vip6]));
    }

    [Fact]
    public void IPv6WithoutThePseudoHeader_Throws()
    {
        Assert.Throws<ArgumentException>(() => Write(s_source6, VrrpV3Advertisement.IPv6Group, 100, [s_vip6], VrrpV3Checksum.WithoutPseudoHeader));
    }

    private static byte[] Write(IPAddress source, IPAddress destination, ushort interval, IPAddress[] vips, VrrpV3Checksum checksum = VrrpV3Checksum.PseudoHeader)
    {
        var buffer = new byte[300];
        var length = VrrpV3AdvertisementWriter.Write(buffer, 167, 100, interval, vips, source, destination, checksum);
        return buffer[..length];
    }
}
