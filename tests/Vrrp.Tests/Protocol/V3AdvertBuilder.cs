using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>
/// Crafts VRRPv3 messages field by field (RFC 5798 §5.1), including invalid ones, with the checksum from
/// <see cref="ReferenceChecksum"/> rather than the production code. IPv4 ones are wrapped in an IPv4 header by
/// <see cref="AdvertDatagramBuilder"/>. Defaults: VRID 167, priority 100, 1 s (100 cs), one VIP of the source's family.
/// </summary>
internal sealed class V3AdvertBuilder
{
    public static readonly IPAddress IPv4Source = IPAddress.Parse("10.10.102.11");
    public static readonly IPAddress IPv4Vip = IPAddress.Parse("10.10.102.242");
    public static readonly IPAddress IPv4Group = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress IPv6Source = IPAddress.Parse("fe80::5054:ff:fe12:3457");
    public static readonly IPAddress IPv6Vip = IPAddress.Parse("2001:db8:10:102::242");
    public static readonly IPAddress IPv6Group = IPAddress.Parse("ff02::12");

    private V3AdvertBuilder(IPAddress source, IPAddress destination, IPAddress vip)
    {
        Source = source;
        Destination = destination;
        Addresses = [vip];
    }

    public IPAddress Source { get; set; }

    public IPAddress Destination { get; set; }

    public byte Version { get; set; } = 3;

    public byte Type { get; set; } = 1;

    public byte VirtualRouterId { get; set; } = 167;

    public byte Priority { get; set; } = 100;

    /// <summary>The 4 reserved bits above the interval.</summary>
    public byte Reserved { get; set; }

    public ushort IntervalCentiseconds { get; set; } = 100;

    public int? CountOverride { get; set; }

    public IPAddress[] Addresses { get; set; }

    /// <summary>Checksum over the message only (RFC 9568), not behind the pseudo-header.</summary>
    public bool ChecksumWithoutPseudoHeader { get; set; }

    public bool CorruptChecksum { get; set; }

    public int Padding { get; set; }

    public static V3AdvertBuilder IPv4() => new(IPv4Source, IPv4Group, IPv4Vip);

    public static V3AdvertBuilder IPv6() => new(IPv6Source, IPv6Group, IPv6Vip);

    public byte[] BuildMessage()
    {
        var addressLength = Source.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        var message = new byte[8 + (addressLength * Addresses.Length) + Padding];
        message[0] = (byte)((Version << 4) | Type);
        message[1] = VirtualRouterId;
        message[2] = Priority;
        message[3] = (byte)(CountOverride ?? Addresses.Length);
        message[4] = (byte)((Reserved << 4) | (IntervalCentiseconds >> 8));
        message[5] = (byte)IntervalCentiseconds;
        for (var i = 0; i < Addresses.Length; i++)
        {
            Addresses[i].GetAddressBytes().CopyTo(message, 8 + (addressLength * i));
        }

        var covered = message[..(message.Length - Padding)];
        var checksum = ChecksumWithoutPseudoHeader ? ReferenceChecksum.Compute(covered)
            : Source.AddressFamily == AddressFamily.InterNetwork ? ReferenceChecksum.WithIPv4PseudoHeader(Source, Destination, 112, covered)
            : ReferenceChecksum.WithIPv6PseudoHeader(Source, Destination, 112, covered);
        checksum ^= CorruptChecksum ? (ushort)0x0101 : (ushort)0;
        message[6] = (byte)(checksum >> 8);
        message[7] = (byte)checksum;
        return message;
    }

    /// <summary>The IPv4 datagram carrying the message; <paramref name="ip"/> may change the IP header.</summary>
    public byte[] BuildIPv4Datagram(Action<AdvertDatagramBuilder>? ip = null)
    {
        var builder = new AdvertDatagramBuilder { Source = Source, Destination = Destination };
        ip?.Invoke(builder);
        var message = BuildMessage();
        builder.Message = message[..(message.Length - Padding)];
        builder.Padding += Padding;
        return builder.Build();
    }
}
