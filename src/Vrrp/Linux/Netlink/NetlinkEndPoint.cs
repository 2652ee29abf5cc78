using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// struct sockaddr_nl {family, pad, pid, groups} for <see cref="Socket.Bind"/>: .NET has no netlink endpoint, but a
/// custom <see cref="EndPoint"/> that serialises the 12 bytes is passed to bind(2) unchanged (docs/design/dotnet-notes.md §2).
/// </summary>
internal sealed class NetlinkEndPoint(uint portId, uint groups) : EndPoint
{
    private const int SockAddrNlLength = 12;

    public uint PortId { get; } = portId;

    public uint Groups { get; } = groups;

    public override AddressFamily AddressFamily => AddressFamily.Unknown;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Unknown, SockAddrNlLength);
        var buffer = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, LinuxInterop.AF_NETLINK);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], PortId);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], Groups);
        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        var buffer = socketAddress.Buffer.Span;
        return new NetlinkEndPoint(BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]), BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]));
    }
}
