using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Balancing;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding.Native;

/// <summary>
/// An IPv4 or IPv6 peer as <c>accept4</c> returns it, kept as plain values so a session stores its client without
/// allocating an <see cref="IPEndPoint"/> (built only when a log line needs one).
/// </summary>
internal readonly struct PeerAddress : IEquatable<PeerAddress>
{
    /// <summary>Enough for <c>sockaddr_in6</c>.</summary>
    public const int MaxLength = 28;

    private readonly ulong _high;
    private readonly ulong _low;

    private PeerAddress(bool v6, ushort port, ulong high, ulong low)
    {
        IsV6 = v6;
        Port = port;
        _high = high;
        _low = low;
    }

    public bool IsV6 { get; }

    public ushort Port { get; }

    /// <summary>Parses a <c>sockaddr_in</c> or <c>sockaddr_in6</c>; anything else gives the default (port 0, v4 0.0.0.0).</summary>
    public static unsafe PeerAddress Parse(byte* sockaddr, int length)
    {
        var family = *(ushort*)sockaddr;
        var bytes = new ReadOnlySpan<byte>(sockaddr, length);
        if (family == AF_INET && length >= 8)
        {
            return new PeerAddress(false, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]), 0, BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]));
        }

        if (family == AF_INET6 && length >= 24)
        {
            return new PeerAddress(true, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
                BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]));
        }

        return default;
    }

    /// <summary>Writes <paramref name="endPoint"/> as a <c>sockaddr_in</c> / <c>sockaddr_in6</c>; returns its length.</summary>
    public static unsafe int Write(IPEndPoint endPoint, byte* sockaddr)
    {
        var bytes = new Span<byte>(sockaddr, MaxLength);
        bytes.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            *(ushort*)sockaddr = (ushort)AF_INET;
            endPoint.Address.TryWriteBytes(bytes.Slice(4, 4), out _);
            return 16;
        }

        *(ushort*)sockaddr = (ushort)AF_INET6;
        endPoint.Address.TryWriteBytes(bytes.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], (uint)endPoint.Address.ScopeId);
        return MaxLength;
    }

    /// <summary>The same address with port 0: what a per-source limit counts by.</summary>
    public PeerAddress WithoutPort => new(IsV6, 0, _high, _low);

    public bool Equals(PeerAddress other) => IsV6 == other.IsV6 && Port == other.Port && _high == other._high && _low == other._low;

    public override bool Equals(object? obj) => obj is PeerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low, Port, IsV6);

    /// <summary>The balancing key of the address (never the port).</summary>
    public ClientKey ToClientKey()
    {
        Span<byte> address = stackalloc byte[16];
        return ClientKey.From(WriteAddress(address));
    }

    public IPEndPoint ToEndPoint()
    {
        Span<byte> address = stackalloc byte[16];
        return new IPEndPoint(new IPAddress(WriteAddress(address)), Port);
    }

    private ReadOnlySpan<byte> WriteAddress(Span<byte> address)
    {
        if (!IsV6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(address, (uint)_low);
            return address[..4];
        }

        BinaryPrimitives.WriteUInt64BigEndian(address, _high);
        BinaryPrimitives.WriteUInt64BigEndian(address[8..], _low);
        return address;
    }
}
