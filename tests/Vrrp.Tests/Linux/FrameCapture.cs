using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// An AF_PACKET socket in a test namespace that receives the Ethernet frames of one ethertype (packet(7)), for tests
/// that compare what crossed a veth with what the code built.
/// </summary>
internal sealed class FrameCapture : IDisposable
{
    public const ushort EtherTypeIPv4 = 0x0800;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIPv6 = 0x86DD;

    private readonly Socket _socket;

    private FrameCapture(Socket socket) => _socket = socket;

    /// <summary>Opens the capture inside <paramref name="ns"/>; it sees every interface there.</summary>
    public static FrameCapture Open(NetworkNamespace ns, ushort etherType) => new(ns.Run(() =>
        new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)(ushort)IPAddress.HostToNetworkOrder((short)etherType))));

    /// <summary>
    /// Waits for the first frame <paramref name="matches"/> accepts. The kernel's own traffic (router solicitations,
    /// MLD reports, duplicate address detection) shares the wire, so other frames are skipped, not failures.
    /// </summary>
    public async Task<byte[]> ReceiveAsync(Func<byte[], bool> matches, TimeSpan timeout)
    {
        var buffer = new byte[1514];
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            var frame = buffer[..length];
            if (matches(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>An Ethernet frame carrying a Neighbor Advertisement (ICMPv6 type 136) for <paramref name="target"/>.</summary>
    public static Func<byte[], bool> IsNeighborAdvertisementFor(IPAddress target) => frame =>
        frame.Length >= 78 && frame[20] == 58 && frame[54] == 136 && frame.AsSpan(62, 16).SequenceEqual(target.GetAddressBytes());

    /// <summary>An Ethernet frame carrying IPv4 or IPv6 (no extension headers) protocol 112 for VRID <paramref name="vrid"/>.</summary>
    public static Func<byte[], bool> IsVrrp(byte vrid) => frame =>
        (frame.Length >= 14 + 20 + 8 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 112 && frame[14 + ((frame[14] & 0x0F) * 4) + 1] == vrid)
        || (frame.Length >= 14 + 40 + 8 && frame[12] == 0x86 && frame[13] == 0xDD && frame[20] == 112 && frame[55] == vrid);

    public void Dispose() => _socket.Dispose();
}
