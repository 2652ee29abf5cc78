using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class Ipv4HeaderTests
{
    [Fact]
    public void Write_ProducesTheKeepalivedHeaderWithAValidChecksum()
    {
        var buffer = new byte[20];
        Ipv4Header.Write(buffer, 40, 0x1234, 255, 112, Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.11")), Ipv4Address.ToUInt32(SeedOptions.Group));

        // docs/design/vrrp.md §1.3: 45 c0 00 28 <id> 00 00 ff 70 <hc> <src> e0 00 00 13
        Assert.Equal("45 c0 00 28 12 34 00 00 ff 70", Hex.Format(buffer.AsSpan(0, 10)));
        Assert.Equal("0a 0a 66 0b e0 00 00 13", Hex.Format(buffer.AsSpan(12)));
        Assert.True(InternetChecksum.IsValid(buffer));
    }

    [Fact]
    public void TryRead_RoundTripsEveryField()
    {
        var buffer = new byte[40];
        Ipv4Header.Write(buffer, 40, 7, 255, 112, 0x0A0A660B, 0xE0000013);
        Assert.True(Ipv4Header.TryRead(buffer, out var header));
        Assert.Equal(new Ipv4Header(4, 20, 0xC0, 40, 7, 255, 112, 0x0A0A660B, 0xE0000013), header);
    }

    [Fact]
    public void TryRead_HonoursAnIhlAboveFive()
    {
        var datagram = new AdvertDatagramBuilder { IpOptionsLength = 4 }.Build();
        Assert.True(Ipv4Header.TryRead(datagram, out var header));
        Assert.Equal(24, header.HeaderLength);
        Assert.Equal(44, header.TotalLength);
    }

    [Theory]
    [InlineData(6, 20)]
    [InlineData(4, 16)]
    [InlineData(4, 60)]
    public void TryRead_RejectsBadVersionOrHeaderLength(byte version, int headerLength)
    {
        var datagram = new AdvertDatagramBuilder { IpVersion = version, IpHeaderLengthOverride = headerLength }.Build();
        Assert.False(Ipv4Header.TryRead(datagram, out _));
    }

    [Fact]
    public void TryRead_RejectsShortInput() => Assert.False(Ipv4Header.TryRead(new byte[19], out _));
}
