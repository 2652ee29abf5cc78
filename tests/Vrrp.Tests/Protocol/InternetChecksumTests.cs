using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class InternetChecksumTests
{
    [Fact]
    public void Rfc1071Example_SumsToTheDocumentedValue()
    {
        // RFC 1071 §3: words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement sum), checksum = ~ddf2 = 220d.
        Assert.Equal(0x220d, InternetChecksum.Compute(Hex.Parse("00 01 f2 03 f4 f5 f6 f7")));
    }

    [Fact]
    public void OddLength_PadsTheLastByteWithZero()
    {
        Assert.Equal(InternetChecksum.Compute(Hex.Parse("01 02 03 00")), InternetChecksum.Compute(Hex.Parse("01 02 03")));
    }

    [Fact]
    public void SeedAdvert_IsValidAndBreaksOnAnyBitFlip()
    {
        var advert = Hex.Parse("21 a7 64 01 01 01 a5 f7 0a 0a 66 f2 31 31 31 31 00 00 00 00");
        Assert.True(InternetChecksum.IsValid(advert));
        advert[12] ^= 0x01;
        Assert.False(InternetChecksum.IsValid(advert));
    }
}
