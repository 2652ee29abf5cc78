using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class VrrpAdvertValidatorTests
{
    private static readonly IPAddress s_ours = IPAddress.Parse("10.10.102.10");

    public static TheoryData<string> DropCases => new(DropCase.All.Keys);

    [Fact]
    public void SeedAdvert_IsAccepted()
    {
        var reason = Validate(new AdvertDatagramBuilder(), out var ip, out var advert);

        Assert.Equal(VrrpDropReason.None, reason);
        Assert.Equal(Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.11")), ip.Source);
        Assert.Equal(100, advert.Priority);
    }

    [Fact]
    public void AdvertWrittenByTheProductionWriter_IsAccepted()
    {
        var datagram = new byte[40];
        VrrpAdvertisementWriter.Write(datagram.AsSpan(20), 167, 99, VrrpAuthType.SimpleText, 1, [Ipv4Address.ToUInt32(SeedOptions.Vip)], VrrpAuthData.Create(VrrpAuthType.SimpleText, "1111"));
        Ipv4Header.Write(datagram, 40, 1, 255, 112, Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.11")), Ipv4Address.ToUInt32(SeedOptions.Group));

        var validator = new VrrpAdvertValidator(SeedOptions.Create(), s_ours);
        Assert.Equal(VrrpDropReason.None, validator.Validate(datagram, SeedOptions.Group, out _, out var advert));
        Assert.Equal(99, advert.Priority);
    }

    [Fact]
    public void IpHeaderWithOptions_IsAccepted()
    {
        Assert.Equal(VrrpDropReason.None, Validate(new AdvertDatagramBuilder { IpOptionsLength = 8 }, out var ip, out _));
        Assert.Equal(28, ip.HeaderLength);
    }

    [Fact]
    public void EthernetPaddingUpToTheMinimumPayload_IsTolerated()
    {
        Assert.Equal(VrrpDropReason.None, Validate(new AdvertDatagramBuilder { Padding = 6 }, out _, out _));
    }

    [Fact]
    public void MultipleAddressesInAnotherOrder_AreAccepted()
    {
        var options = SeedOptions.Create() with
        {
            VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.0.0.1"), 32), new VirtualAddress(IPAddress.Parse("10.0.0.2"), 32), new VirtualAddress(IPAddress.Parse("10.0.0.3"), 32)],
        };
        var builder = new AdvertDatagramBuilder { Addresses = [IPAddress.Parse("10.0.0.3"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")] };

        Assert.Equal(VrrpDropReason.None, new VrrpAdvertValidator(options, s_ours).Validate(builder.Build(), SeedOptions.Group, out _, out var advert));
        Assert.Equal(3, advert.AddressCount);
    }

    [Fact]
    public void UnicastAdvertToOurAddress_IsAcceptedByAUnicastInstance()
    {
        var options = SeedOptions.Create() with { UnicastPeers = [IPAddress.Parse("10.10.102.11")] };
        var builder = new AdvertDatagramBuilder { Destination = s_ours, Ttl = 64 };

        Assert.Equal(VrrpDropReason.None, new VrrpAdvertValidator(options, s_ours).Validate(builder.Build(), s_ours, out _, out _));
    }

    [Theory]
    [MemberData(nameof(DropCases))]
    public void CraftedDatagram_IsDroppedForTheExpectedReason(string name)
    {
        var drop = DropCase.All[name];
        var options = SeedOptions.Create();
        options = drop.Configure?.Invoke(options) ?? options;
        var builder = new AdvertDatagramBuilder();
        drop.Mutate(builder);

        var reason = new VrrpAdvertValidator(options, s_ours).Validate(builder.Build(), drop.Destination ?? SeedOptions.Group, out _, out _);

        Assert.Equal(drop.Expected, reason);
    }

    [Fact]
    public void EveryValidationDropReason_HasACraftedDatagram()
    {
        var covered = DropCase.All.Values.Select(c => c.Expected).ToHashSet();
        // NotListening is the router's; the last two exist only in VRRPv3 (VrrpV3AdvertValidatorTests).
        var expected = Enum.GetValues<VrrpDropReason>().Where(r => r is not (VrrpDropReason.None or VrrpDropReason.NotListening
            or VrrpDropReason.InvalidAdvertInterval or VrrpDropReason.ChecksumFormMismatch));
        Assert.All(expected, r => Assert.Contains(r, covered));
    }

    [Theory]
    [InlineData(VrrpDropReason.AddressCountMismatch)]
    [InlineData(VrrpDropReason.AddressListMismatch)]
    public void AddressMismatchFromTheOwner_IsAccepted(VrrpDropReason mismatch)
    {
        var builder = new AdvertDatagramBuilder
        {
            Priority = 255,
            Addresses = mismatch == VrrpDropReason.AddressCountMismatch
                ? [SeedOptions.Vip, IPAddress.Parse("10.10.102.243")]
                : [IPAddress.Parse("10.10.102.243")],
        };

        Assert.Equal(VrrpDropReason.None, Validate(builder, out _, out _));
    }

    private static VrrpDropReason Validate(AdvertDatagramBuilder builder, out Ipv4Header ip, out VrrpAdvertisement advert) =>
        new VrrpAdvertValidator(SeedOptions.Create(), s_ours).Validate(builder.Build(), SeedOptions.Group, out ip, out advert);

    private sealed record DropCase(VrrpDropReason Expected, Action<AdvertDatagramBuilder> Mutate, IPAddress? Destination = null, Func<VrrpInstanceOptions, VrrpInstanceOptions>? Configure = null)
    {
        public static readonly Dictionary<string, DropCase> All = new()
        {
            ["shorter than IP header + 8"] = new(VrrpDropReason.Truncated, b => b.TruncateTo = 27),
            ["IHL > 5 leaves less than 8 VRRP bytes"] = new(VrrpDropReason.Truncated, b => { b.IpOptionsLength = 16; b.TruncateTo = 40; }),
            ["IP version 6"] = new(VrrpDropReason.InvalidIpHeader, b => b.IpVersion = 6),
            ["IHL 4"] = new(VrrpDropReason.InvalidIpHeader, b => b.IpHeaderLengthOverride = 16),
            ["TCP, not VRRP"] = new(VrrpDropReason.NotVrrpProtocol, b => b.Protocol = 6),
            ["another VRID"] = new(VrrpDropReason.UnknownVirtualRouterId, b => b.VirtualRouterId = 51),
            ["multicast TTL 254"] = new(VrrpDropReason.InvalidTtl, b => b.Ttl = 254),
            ["VRRP version 3"] = new(VrrpDropReason.InvalidVersion, b => b.VrrpVersion = 3),
            ["count claims more addresses than present"] = new(VrrpDropReason.LengthMismatch, b => b.CountOverride = 2),
            ["trailing bytes beyond Ethernet padding"] = new(VrrpDropReason.LengthMismatch, b => b.Padding = 8),
            ["auth type 3"] = new(VrrpDropReason.InvalidAuthType, b => b.AuthType = 3),
            ["auth none against PASS"] = new(VrrpDropReason.AuthTypeMismatch, b => { b.AuthType = 0; b.AuthData = new byte[8]; }),
            ["wrong password"] = new(VrrpDropReason.AuthFailure, b => b.AuthData = [0x31, 0x31, 0x31, 0x32, 0, 0, 0, 0]),
            ["password differs only in byte 8"] = new(VrrpDropReason.AuthFailure, b => b.AuthData = [0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0x01]),
            ["advert interval 2 s"] = new(VrrpDropReason.AdvertIntervalMismatch, b => b.IntervalSeconds = 2),
            ["type 2"] = new(VrrpDropReason.InvalidType, b => b.Type = 2),
            ["IP total length too large"] = new(VrrpDropReason.IpTotalLengthMismatch, b => b.TotalLengthOverride = 44),
            ["IP total length too small"] = new(VrrpDropReason.IpTotalLengthMismatch, b => b.TotalLengthOverride = 36),
            ["bad checksum"] = new(VrrpDropReason.BadChecksum, b => b.CorruptChecksum = true),
            ["other multicast group"] = new(VrrpDropReason.DestinationMismatch, b => b.Destination = IPAddress.Parse("224.0.0.18"), IPAddress.Parse("224.0.0.18")),
            ["unicast destination on a multicast instance"] = new(VrrpDropReason.DestinationMismatch, b => b.Destination = IPAddress.Parse("10.10.102.10"), IPAddress.Parse("10.10.102.10")),
            ["multicast destination on a unicast instance"] = new(VrrpDropReason.DestinationMismatch, _ => { }, null, o => o with { UnicastPeers = [IPAddress.Parse("10.10.102.11")] }),
            ["two addresses, we have one"] = new(VrrpDropReason.AddressCountMismatch, b => b.Addresses = [SeedOptions.Vip, IPAddress.Parse("10.10.102.243")]),
            ["another address"] = new(VrrpDropReason.AddressListMismatch, b => b.Addresses = [IPAddress.Parse("10.10.102.243")]),
            ["sent from our own address"] = new(VrrpDropReason.OwnAdvert, b => b.Source = IPAddress.Parse("10.10.102.10")),
            ["unicast advert from an address that is not a peer"] = new(VrrpDropReason.NotAUnicastPeer, b =>
            {
                b.Destination = IPAddress.Parse("10.10.102.10");
                b.Source = IPAddress.Parse("10.10.102.99");
            }, IPAddress.Parse("10.10.102.10"), o => o with { UnicastPeers = [IPAddress.Parse("10.10.102.11")] }),
        };
    }
}
