using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class VrrpAdvertisementWriterTests
{
    private static readonly uint[] s_seedVip = [Ipv4Address.ToUInt32(SeedOptions.Vip)];

    // docs/design/vrrp.md §1.3, checked against keepalived captures.
    [Theory]
    [InlineData(100, "21 a7 64 01 01 01 a5 f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(99, "21 a7 63 01 01 01 a6 f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(95, "21 a7 5f 01 01 01 aa f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(0, "21 a7 00 01 01 01 09 f8 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(255, "21 a7 ff 01 01 01 0a f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    public void SeedAdvertWithPass_IsByteExact(byte priority, string expected)
    {
        var buffer = new byte[64];
        var length = VrrpAdvertisementWriter.Write(buffer, 167, priority, VrrpAuthType.SimpleText, 1, s_seedVip, VrrpAuthData.Create(VrrpAuthType.SimpleText, "1111"));
        Assert.Equal(expected, Hex.Format(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void SeedAdvertWithoutAuth_IsByteExact()
    {
        var buffer = new byte[20];
        VrrpAdvertisementWriter.Write(buffer, 167, 100, VrrpAuthType.None, 1, s_seedVip, VrrpAuthData.Create(VrrpAuthType.None, "ignored"));
        Assert.Equal("21 a7 64 01 00 01 09 5a 0a 0a 66 f2 00 00 00 00 00 00 00 00", Hex.Format(buffer));
    }

    [Theory]
    [InlineData(99, "21 a7 63 01 01 01 a6 f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(0, "21 a7 00 01 01 01 09 f8 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    [InlineData(255, "21 a7 ff 01 01 01 0a f7 0a 0a 66 f2 31 31 31 31 00 00 00 00")]
    public void SetPriority_PatchesPriorityAndChecksum(byte priority, string expected)
    {
        var buffer = new byte[20];
        VrrpAdvertisementWriter.Write(buffer, 167, 100, VrrpAuthType.SimpleText, 1, s_seedVip, VrrpAuthData.Create(VrrpAuthType.SimpleText, "1111"));
        VrrpAdvertisementWriter.SetPriority(buffer, priority);
        Assert.Equal(expected, Hex.Format(buffer));
    }

    [Fact]
    public void PassLongerThanEightBytes_IsTruncatedAndShorterIsZeroPadded()
    {
        Assert.Equal("31 32 33 34 35 36 37 38", Hex.Format(VrrpAuthData.Create(VrrpAuthType.SimpleText, "1234567890")));
        Assert.Equal("61 62 00 00 00 00 00 00", Hex.Format(VrrpAuthData.Create(VrrpAuthType.SimpleText, "ab")));
        Assert.Equal("00 00 00 00 00 00 00 00", Hex.Format(VrrpAuthData.Create(VrrpAuthType.None, "ab")));
    }

    [Fact]
    public void MultipleAddresses_AreWrittenInConfigurationOrderAndReadBack()
    {
        uint[] vips = [Ipv4Address.ToUInt32(IPAddress.Parse("192.168.1.3")), Ipv4Address.ToUInt32(IPAddress.Parse("10.0.0.1")), Ipv4Address.ToUInt32(IPAddress.Parse("172.16.0.9"))];
        var buffer = new byte[VrrpAdvertisement.GetLength(3)];
        var length = VrrpAdvertisementWriter.Write(buffer, 7, 150, VrrpAuthType.None, 3, vips, new byte[8]);

        Assert.Equal(28, length);
        Assert.True(InternetChecksum.IsValid(buffer));
        Assert.True(VrrpAdvertisement.TryRead(buffer, out var advert));
        Assert.Equal(new VrrpAdvertisement(2, 1, 7, 150, 3, 0, 3, advert.Checksum), advert);
        Assert.Equal(vips, Enumerable.Range(0, 3).Select(i => VrrpAdvertisement.ReadAddress(buffer, i)));
        Assert.Equal("c0 a8 01 03 0a 00 00 01 ac 10 00 09", Hex.Format(buffer.AsSpan(8, 12)));
    }

    [Fact]
    public void SeedAdvert_RoundTripsThroughTheReader()
    {
        var buffer = Hex.Parse("21 a7 64 01 01 01 a5 f7 0a 0a 66 f2 31 31 31 31 00 00 00 00");
        Assert.True(VrrpAdvertisement.TryRead(buffer, out var advert));
        Assert.Equal(new VrrpAdvertisement(2, 1, 167, 100, 1, 1, 1, 0xa5f7), advert);
        Assert.Equal(Ipv4Address.ToUInt32(SeedOptions.Vip), VrrpAdvertisement.ReadAddress(buffer, 0));
        Assert.Equal("31 31 31 31 00 00 00 00", Hex.Format(VrrpAdvertisement.GetAuthData(buffer, 1)));
    }
}
