using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>
/// Crafts received IPv4 + VRRPv2 datagrams field by field, including invalid ones, independently of the production
/// writer so the tests do not check the codec against itself. Defaults are the seed: VRID 167, priority 100,
/// PASS "1111", VIP 10.10.102.242, group 224.0.0.19, sender 10.10.102.11.
/// </summary>
internal sealed class AdvertDatagramBuilder
{
    public byte IpVersion { get; set; } = 4;

    public int IpOptionsLength { get; set; }

    public int? IpHeaderLengthOverride { get; set; }

    public byte Ttl { get; set; } = 255;

    public byte Protocol { get; set; } = 112;

    public IPAddress Source { get; set; } = IPAddress.Parse("10.10.102.11");

    public IPAddress Destination { get; set; } = IPAddress.Parse("224.0.0.19");

    public int? TotalLengthOverride { get; set; }

    public byte VrrpVersion { get; set; } = 2;

    public byte Type { get; set; } = 1;

    public byte VirtualRouterId { get; set; } = 167;

    public byte Priority { get; set; } = 100;

    public byte AuthType { get; set; } = 1;

    public byte IntervalSeconds { get; set; } = 1;

    public int? CountOverride { get; set; }

    public IPAddress[] Addresses { get; set; } = [IPAddress.Parse("10.10.102.242")];

    public byte[] AuthData { get; set; } = [0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0];

    public bool CorruptChecksum { get; set; }

    public int Padding { get; set; }

    public int? TruncateTo { get; set; }

    /// <summary>A ready VRRP message (a VRRPv3 one, say) to carry instead of the VRRPv2 message the fields describe.</summary>
    public byte[]? Message { get; set; }

    public byte[] Build()
    {
        var message = Message ?? BuildVersion2Message();
        return BuildDatagram(message);
    }

    private byte[] BuildVersion2Message()
    {
        var message = new byte[8 + (4 * Addresses.Length) + AuthData.Length];
        message[0] = (byte)((VrrpVersion << 4) | Type);
        message[1] = VirtualRouterId;
        message[2] = Priority;
        message[3] = (byte)(CountOverride ?? Addresses.Length);
        message[4] = AuthType;
        message[5] = IntervalSeconds;
        for (var i = 0; i < Addresses.Length; i++)
        {
            Addresses[i].TryWriteBytes(message.AsSpan(8 + (4 * i)), out _);
        }

        AuthData.CopyTo(message, 8 + (4 * Addresses.Length));
        var checksum = InternetChecksum.Compute(message);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), CorruptChecksum ? (ushort)(checksum ^ 0x0101) : checksum);
        return message;
    }

    private byte[] BuildDatagram(byte[] message)
    {
        var headerLength = 20 + IpOptionsLength;
        var datagram = new byte[headerLength + message.Length + Padding];
        datagram[0] = (byte)((IpVersion << 4) | ((IpHeaderLengthOverride ?? headerLength) / 4));
        datagram[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), (ushort)(TotalLengthOverride ?? (headerLength + message.Length)));
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), 1);
        datagram[8] = Ttl;
        datagram[9] = Protocol;
        Source.TryWriteBytes(datagram.AsSpan(12), out _);
        Destination.TryWriteBytes(datagram.AsSpan(16), out _);
        datagram.AsSpan(20, IpOptionsLength).Fill(0x01); // NOP options
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(10), InternetChecksum.Compute(datagram.AsSpan(0, headerLength)));
        message.CopyTo(datagram, headerLength);
        return TruncateTo is { } length ? datagram[..length] : datagram;
    }
}
