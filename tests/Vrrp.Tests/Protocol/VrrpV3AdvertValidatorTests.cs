using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

public sealed class VrrpV3AdvertValidatorTests
{
    private static readonly IPAddress s_ours4 = IPAddress.Parse("10.10.102.10");
    private static readonly IPAddress s_ours6 = IPAddress.Parse("fe80::5054:ff:fe12:3456");

    /// <summary>Reasons only VRRPv2 has: authentication, a fixed interval, and the router's own Fault/Initialize drop.</summary>
    private static readonly VrrpDropReason[] s_version2Only =
    [
        VrrpDropReason.InvalidAuthType, VrrpDropReason.AuthTypeMismatch, VrrpDropReason.AuthFailure,
        VrrpDropReason.AdvertIntervalMismatch, VrrpDropReason.NotListening,

        // VRRPv3 applies the unicast peer list in the router (VrrpRouter.V3), not in this validator.
        VrrpDropReason.NotAUnicastPeer,
    ];

    public static TheoryData<string> IPv4DropCases => new(DropCase.IPv4.Keys);

    public static TheoryData<string> IPv6DropCases => new(DropCase.IPv6.Keys);

    [Fact]
    public void IPv4Advert_IsAccepted()
    {
        var reason = Validator4().ValidateIPv4(V3AdvertBuilder.IPv4().BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group, out var ip, out var advert);

        Assert.Equal(VrrpDropReason.None, reason);
        Assert.Equal(Ipv4Address.ToUInt32(V3AdvertBuilder.IPv4Source), ip.Source);
        Assert.Equal(new VrrpV3Advertisement(3, 1, 167, 100, 1, 100, advert.Checksum), advert);
    }

    [Fact]
    public void IPv6Advert_IsAccepted()
    {
        var builder = V3AdvertBuilder.IPv6();

        var reason = Validator6().ValidateIPv6(builder.BuildMessage(), builder.Source, builder.Destination, 255, out var advert);

        Assert.Equal(VrrpDropReason.None, reason);
        Assert.Equal(100, advert.MaxAdvertIntervalCentiseconds);
    }

    [Fact]
    public void IPv6AddressesWithTheKernelsScopeIds_AreComparedWithoutThem()
    {
        var builder = V3AdvertBuilder.IPv6();
        var source = new IPAddress(builder.Source.GetAddressBytes(), 7);
        var group = new IPAddress(builder.Destination.GetAddressBytes(), 7);

        Assert.Equal(VrrpDropReason.None, Validator6().ValidateIPv6(builder.BuildMessage(), source, group, 255, out _));
    }

    [Fact]
    public void AdvertsWrittenByTheProductionWriter_AreAccepted()
    {
        var message = new byte[64];
        var length = VrrpV3AdvertisementWriter.Write(message, 167, 99, 10, [V3AdvertBuilder.IPv6Vip], V3AdvertBuilder.IPv6Source, V3AdvertBuilder.IPv6Group);
        Assert.Equal(VrrpDropReason.None, Validator6().ValidateIPv6(message.AsSpan(0, length), V3AdvertBuilder.IPv6Source, V3AdvertBuilder.IPv6Group, 255, out var advert));
        Assert.Equal(99, advert.Priority);

        var datagram = new byte[32];
        VrrpV3AdvertisementWriter.Write(datagram.AsSpan(20), 167, 99, 10, [V3AdvertBuilder.IPv4Vip], V3AdvertBuilder.IPv4Source, V3AdvertBuilder.IPv4Group);
        Ipv4Header.Write(datagram, 32, 1, 255, 112, Ipv4Address.ToUInt32(V3AdvertBuilder.IPv4Source), Ipv4Address.ToUInt32(V3AdvertBuilder.IPv4Group));
        Assert.Equal(VrrpDropReason.None, Validator4().ValidateIPv4(datagram, V3AdvertBuilder.IPv4Group, out _, out advert));
        Assert.Equal(10, advert.MaxAdvertIntervalCentiseconds);
    }

    [Fact]
    public void AnotherInterval_IsAcceptedForTheBackupToAdopt()
    {
        var builder = V3AdvertBuilder.IPv4();
        builder.IntervalCentiseconds = 4095;

        Assert.Equal(VrrpDropReason.None, Validator4().ValidateIPv4(builder.BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group, out _, out var advert));
        Assert.Equal(4095, advert.MaxAdvertIntervalCentiseconds);
    }

    [Fact]
    public void ReservedBits_AreIgnored()
    {
        var builder = V3AdvertBuilder.IPv4();
        builder.Reserved = 0xF;

        Assert.Equal(VrrpDropReason.None, Validator4().ValidateIPv4(builder.BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group, out _, out var advert));
        Assert.Equal(100, advert.MaxAdvertIntervalCentiseconds);
    }

    [Fact]
    public void EthernetPaddingOfAnIPv4Advert_IsTolerated()
    {
        var builder = V3AdvertBuilder.IPv4();
        builder.Padding = 14;

        Assert.Equal(VrrpDropReason.None, Validator4().ValidateIPv4(builder.BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group, out _, out _));
    }

    [Fact]
    public void Rfc9568ChecksumOnARfc9568Instance_IsAccepted()
    {
        var builder = V3AdvertBuilder.IPv4();
        builder.ChecksumWithoutPseudoHeader = true;
        var validator = new VrrpV3AdvertValidator(167, [V3AdvertBuilder.IPv4Vip], s_ours4, V3AdvertBuilder.IPv4Group, VrrpV3Checksum.WithoutPseudoHeader);

        Assert.Equal(VrrpDropReason.None, validator.ValidateIPv4(builder.BuildIPv4Datagram(), V3AdvertBuilder.IPv4Group, out _, out _));
    }

    [Fact]
    public void UnicastAdvertToOurAddress_IsAcceptedByAUnicastInstance()
    {
        var builder = V3AdvertBuilder.IPv4();
        builder.Destination = s_ours4;
        var validator = new VrrpV3AdvertValidator(167, [V3AdvertBuilder.IPv4Vip], s_ours4, group: null);

        Assert.Equal(VrrpDropReason.None, validator.ValidateIPv4(builder.BuildIPv4Datagram(b => b.Ttl = 64), s_ours4, out _, out _));
    }

    [Fact]
    public void AddressMismatchFromTheOwner_IsAccepted()
    {
        var builder = V3AdvertBuilder.IPv6();
        builder.Priority = 255;
        builder.Addresses = [IPAddress.Parse("2001:db8::1"), IPAddress.Parse("2001:db8::2")];

        Assert.Equal(VrrpDropReason.None, Validator6().ValidateIPv6(builder.BuildMessage(), builder.Source, builder.Destination, 255, out _));
    }

    [Theory]
    [MemberData(nameof(IPv4DropCases))]
    public void CraftedIPv4Datagram_IsDroppedForTheExpectedReason(string name)
    {
        var drop = DropCase.IPv4[name];
        var builder = V3AdvertBuilder.IPv4();
        drop.Mutate(builder);

        var reason = (drop.Validator ?? Validator4()).ValidateIPv4(builder.BuildIPv4Datagram(drop.Ip), builder.Destination, out _, out _);

        Assert.Equal(drop.Expected, reason);
    }

    [Theory]
    [MemberData(nameof(IPv6DropCases))]
    public void CraftedIPv6Message_IsDroppedForTheExpectedReason(string name)
    {
        var drop = DropCase.IPv6[name];
        var builder = V3AdvertBuilder.IPv6();
        drop.Mutate(builder);

        var message = builder.BuildMessage();
        var reason = (drop.Validator ?? Validator6()).ValidateIPv6(message[..(drop.TruncateTo ?? message.Length)], builder.Source, builder.Destination, drop.HopLimit, out _);

        Assert.Equal(drop.Expected, reason);
    }

    [Fact]
    public void EveryVersion3DropReason_HasACraftedIPv4Datagram()
    {
        var covered = DropCase.IPv4.Values.Select(c => c.Expected).ToHashSet();
        var expected = Enum.GetValues<VrrpDropReason>().Where(r => r != VrrpDropReason.None).Except(s_version2Only);
        Assert.All(expected, r => Assert.Contains(r, covered));
    }

    [Fact]
    public void ValidatingTheOtherFamily_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Validator4().ValidateIPv6(new byte[24], V3AdvertBuilder.IPv6Source, V3AdvertBuilder.IPv6Group, 255, out _));
        Assert.Throws<InvalidOperationException>(() => Validator6().ValidateIPv4(new byte[32], V3AdvertBuilder.IPv4Group, out _, out _));
    }

    [Fact]
    public void IPv6InstanceWithoutThePseudoHeader_Throws()
    {
        Assert.Throws<ArgumentException>(() => new VrrpV3AdvertValidator(167, [V3AdvertBuilder.IPv6Vip], s_ours6, V3AdvertBuilder.IPv6Group, VrrpV3Checksum.WithoutPseudoHeader));
    }

    private static VrrpV3AdvertValidator Validator4() => new(167, [V3AdvertBuilder.IPv4Vip], s_ours4, V3AdvertBuilder.IPv4Group);

    private static VrrpV3AdvertValidator Validator6() => new(167, [V3AdvertBuilder.IPv6Vip], s_ours6, V3AdvertBuilder.IPv6Group);

    private sealed record DropCase(
        VrrpDropReason Expected,
        Action<V3AdvertBuilder> Mutate,
        Action<AdvertDatagramBuilder>? Ip = null,
        VrrpV3AdvertValidator? Validator = null,
        int HopLimit = 255,
        int? TruncateTo = null)
    {
        public static readonly Dictionary<string, DropCase> IPv4 = new()
        {
            ["shorter than IP header + 8"] = new(VrrpDropReason.Truncated, _ => { }, b => b.TruncateTo = 27),
            ["IHL > 5 leaves less than 8 VRRP bytes"] = new(VrrpDropReason.Truncated, _ => { }, b => { b.IpOptionsLength = 16; b.TruncateTo = 40; }),
            ["IP version 6"] = new(VrrpDropReason.InvalidIpHeader, _ => { }, b => b.IpVersion = 6),
            ["TCP, not VRRP"] = new(VrrpDropReason.NotVrrpProtocol, _ => { }, b => b.Protocol = 6),
            ["another VRID"] = new(VrrpDropReason.UnknownVirtualRouterId, b => b.VirtualRouterId = 51),
            ["count claims more addresses than present"] = new(VrrpDropReason.LengthMismatch, b => b.CountOverride = 2),
            ["trailing bytes beyond Ethernet padding"] = new(VrrpDropReason.LengthMismatch, b => b.Padding = 16),
            ["multicast TTL 254"] = new(VrrpDropReason.InvalidTtl, _ => { }, b => b.Ttl = 254),
            ["VRRP version 2"] = new(VrrpDropReason.InvalidVersion, b => b.Version = 2),
            ["type 2"] = new(VrrpDropReason.InvalidType, b => b.Type = 2),
            ["interval 0"] = new(VrrpDropReason.InvalidAdvertInterval, b => b.IntervalCentiseconds = 0),
            ["IP total length too large"] = new(VrrpDropReason.IpTotalLengthMismatch, _ => { }, b => b.TotalLengthOverride = 36),
            ["bad checksum"] = new(VrrpDropReason.BadChecksum, b => b.CorruptChecksum = true),
            ["RFC 9568 checksum on an RFC 5798 instance"] = new(VrrpDropReason.ChecksumFormMismatch, b => b.ChecksumWithoutPseudoHeader = true),
            ["RFC 5798 checksum on an RFC 9568 instance"] = new(VrrpDropReason.ChecksumFormMismatch, _ => { }, Validator: new(167, [V3AdvertBuilder.IPv4Vip], IPAddress.Parse("10.10.102.10"), V3AdvertBuilder.IPv4Group, VrrpV3Checksum.WithoutPseudoHeader)),
            ["other multicast group"] = new(VrrpDropReason.DestinationMismatch, b => b.Destination = IPAddress.Parse("224.0.0.19")),
            ["multicast destination on a unicast instance"] = new(VrrpDropReason.DestinationMismatch, _ => { }, Validator: new(167, [V3AdvertBuilder.IPv4Vip], IPAddress.Parse("10.10.102.10"), group: null)),
            ["sent from our own address"] = new(VrrpDropReason.OwnAdvert, b => b.Source = IPAddress.Parse("10.10.102.10")),
            ["two addresses, we have one"] = new(VrrpDropReason.AddressCountMismatch, b => b.Addresses = [V3AdvertBuilder.IPv4Vip, IPAddress.Parse("10.10.102.243")]),
            ["another address"] = new(VrrpDropReason.AddressListMismatch, b => b.Addresses = [IPAddress.Parse("10.10.102.243")]),
        };

        public static readonly Dictionary<string, DropCase> IPv6 = new()
        {
            ["shorter than 8 bytes"] = new(VrrpDropReason.Truncated, _ => { }, TruncateTo: 7),
            ["another VRID"] = new(VrrpDropReason.UnknownVirtualRouterId, b => b.VirtualRouterId = 51),
            ["an IPv4-sized address"] = new(VrrpDropReason.LengthMismatch, _ => { }, TruncateTo: 12),
            ["trailing bytes"] = new(VrrpDropReason.LengthMismatch, b => b.Padding = 4),
            ["multicast hop limit 254"] = new(VrrpDropReason.InvalidTtl, _ => { }, HopLimit: 254),
            ["VRRP version 2"] = new(VrrpDropReason.InvalidVersion, b => b.Version = 2),
            ["type 2"] = new(VrrpDropReason.InvalidType, b => b.Type = 2),
            ["interval 0"] = new(VrrpDropReason.InvalidAdvertInterval, b => b.IntervalCentiseconds = 0),
            ["bad checksum"] = new(VrrpDropReason.BadChecksum, b => b.CorruptChecksum = true),
            ["checksum without the pseudo-header"] = new(VrrpDropReason.BadChecksum, b => b.ChecksumWithoutPseudoHeader = true),
            ["other multicast group"] = new(VrrpDropReason.DestinationMismatch, b => b.Destination = IPAddress.Parse("ff02::1")),
            ["sent from our own address"] = new(VrrpDropReason.OwnAdvert, b => b.Source = IPAddress.Parse("fe80::5054:ff:fe12:3456")),
            ["two addresses, we have one"] = new(VrrpDropReason.AddressCountMismatch, b => b.Addresses = [V3AdvertBuilder.IPv6Vip, IPAddress.Parse("2001:db8::9")]),
            ["another address"] = new(VrrpDropReason.AddressListMismatch, b => b.Addresses = [IPAddress.Parse("2001:db8::9")]),
        };
    }
}
