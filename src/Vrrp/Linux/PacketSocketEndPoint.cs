using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// struct sockaddr_ll {family, protocol (big-endian), ifindex, hatype, pkttype, halen, addr[8]} for binding an
/// AF_PACKET socket to one interface; .NET has no packet endpoint but passes a custom 20-byte address through
/// (docs/design/dotnet-notes.md §3, packet(7)).
/// </summary>
internal sealed class PacketSocketEndPoint(ushort protocol, int interfaceIndex) : EndPoint
{
    private const int SockAddrLlLength = 20;
    private const ushort AF_PACKET = 17;

    public ushort Protocol { get; } = protocol;

    public int InterfaceIndex { get; } = interfaceIndex;

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Packet, SockAddrLlLength);
        var buffer = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, AF_PACKET);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], Protocol);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], InterfaceIndex);
        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        var buffer = socketAddress.Buffer.Span;
        return new PacketSocketEndPoint(BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]), BinaryPrimitives.ReadInt32LittleEndian(buffer[4..]));
    }
}
