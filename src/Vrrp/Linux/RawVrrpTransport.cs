using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using static CloudCoreLb.Vrrp.Linux.LinuxInterop;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// VRRPv2 and VRRPv3 over raw IPv4 protocol-112 sockets, set up the way keepalived sets up its sockets (docs/design/vrrp.md §2) except that
/// the kernel writes the IP header: TTL 255 from IP_MULTICAST_TTL / IP_TTL, TOS 0xC0 from IP_TOS, DF clear from
/// IP_PMTUDISC_DONT, protocol 112 from the socket (RFC 3768 §5.2). Receivers never check the IP ID (docs/design/vrrp.md §1.1).
/// </summary>
/// <remarks>
/// Two sockets: the send socket is bound to <see cref="SourceAddress"/> (so the source on the wire is exactly the
/// tie-break identity) and drops all input through a BPF filter; the receive socket is bound to the multicast group in
/// multicast mode, so unicast VRRP is not delivered to it, or to the unicast source address in unicast mode. A raw
/// socket sees every proto-112 datagram the host accepts on the device, so the caller still filters by VRID.
/// </remarks>
internal sealed partial class RawVrrpTransport : IVrrpTransport
{
    private static readonly IPEndPoint s_anyEndPoint = new(IPAddress.Any, 0);

    private readonly Socket _sendSocket;
    private readonly Socket _receiveSocket;
    private readonly IPAddress[] _destinations;
    private readonly SocketAddress[] _destinationAddresses;
    private readonly SocketFlags _sendFlags;
    private readonly string _instance;
    private readonly string _interface;
    private readonly ILogger _logger;
    private readonly bool _multicast;
    private readonly bool _ipv6;
    private bool _sendFailing;
    private byte[] _scratch = [];

    private RawVrrpTransport(Socket sendSocket, Socket receiveSocket, IPAddress source, IPAddress[] destinations, bool multicast, string instance, string @interface, ILogger logger)
    {
        _sendSocket = sendSocket;
        _receiveSocket = receiveSocket;
        SourceAddress = source;
        _destinations = destinations;
        _destinationAddresses = Array.ConvertAll(destinations, d => new IPEndPoint(d, 0).Serialize());
        // keepalived sends multicast adverts with MSG_DONTROUTE: they are link-local and must never follow a route.
        _sendFlags = multicast ? SocketFlags.DontRoute : SocketFlags.None;
        _multicast = multicast;
        _ipv6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        _instance = instance;
        _interface = @interface;
        _logger = logger;
    }

    /// <inheritdoc />
    public IPAddress SourceAddress { get; }

    /// <summary>The group, or the unicast peers, adverts are sent to.</summary>
    public IReadOnlyList<IPAddress> Destinations => _destinations;

    /// <summary>
    /// Opens the sockets for one instance on <paramref name="interfaceInfo"/>, in the network namespace of the calling
    /// thread. Multicast mode unless <see cref="VrrpInstanceOptions.UnicastPeers"/> is non-empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">No usable source address.</exception>
    /// <exception cref="SocketException">The kernel refused a socket or an option (not root, no such device).</exception>
    public static RawVrrpTransport Open(VrrpInstanceOptions options, InterfaceInfo interfaceInfo, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(interfaceInfo);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.IsIPv6)
        {
            return OpenIPv6(options, interfaceInfo, logger);
        }

        var source = options.UnicastSourceAddress ?? interfaceInfo.PrimaryAddress
            ?? throw new InvalidOperationException(
                $"Interface {interfaceInfo.Name} has no IPv4 address other than the virtual addresses; VRRP needs one as advert source.");
        RequireIPv4(source, "source address");

        IPAddress[] destinations;
        if (options.IsUnicast)
        {
            // One file lists every node as a peer; a node never sends to itself.
            destinations = [.. options.UnicastPeers.Where(peer => !peer.Equals(source))];
            foreach (var peer in destinations)
            {
                RequireIPv4(peer, "unicast peer");
            }
        }
        else
        {
            RequireIPv4(options.MulticastGroup, "multicast group");
            if (!IsMulticast(options.MulticastGroup))
            {
                throw new ArgumentException($"Multicast group {options.MulticastGroup} is not an IPv4 multicast address.", nameof(options));
            }

            destinations = [options.MulticastGroup];
        }

        Socket? sendSocket = null;
        Socket? receiveSocket = null;
        try
        {
            sendSocket = OpenSendSocket(options, interfaceInfo, source);
            receiveSocket = OpenReceiveSocket(options, interfaceInfo, source);
            var transport = new RawVrrpTransport(sendSocket, receiveSocket, source, destinations, !options.IsUnicast, options.Name, interfaceInfo.Name, logger);
            VrrpLinuxLog.TransportOpened(logger, options.Name, interfaceInfo.Name, interfaceInfo.Index,
                options.IsUnicast ? "unicast" : "multicast", source, string.Join(", ", (IEnumerable<IPAddress>)destinations));
            return transport;
        }
        catch
        {
            sendSocket?.Dispose();
            receiveSocket?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A failed send (interface down, no route to a unicast peer) is logged, not thrown: the state machine carries on
    /// and the next advert retries, as keepalived does.
    /// </remarks>
    public void Send(ReadOnlySpan<byte> vrrpMessage)
    {
        for (var i = 0; i < _destinationAddresses.Length; i++)
        {
            try
            {
                _sendSocket.SendTo(ForDestination(vrrpMessage, i), _sendFlags, _destinationAddresses[i]);
                if (_sendFailing)
                {
                    _sendFailing = false;
                    VrrpLinuxLog.TransportSendRecovered(_logger, _instance, _interface);
                }
            }
            catch (SocketException ex)
            {
                if (_sendFailing)
                {
                    VrrpLinuxLog.TransportSendFailedAgain(_logger, _instance, _interface, _destinations[i], ex.SocketErrorCode);
                }
                else
                {
                    _sendFailing = true;
                    VrrpLinuxLog.TransportSendFailed(_logger, _instance, _interface, _destinations[i], ex.SocketErrorCode);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<VrrpDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_ipv6)
        {
            return await ReceiveIPv6Async(buffer, cancellationToken).ConfigureAwait(false);
        }

        var result = await _receiveSocket.ReceiveMessageFromAsync(buffer, SocketFlags.None, s_anyEndPoint, cancellationToken).ConfigureAwait(false);
        var destination = result.PacketInformation.Address;
        if (destination is null || destination.Equals(IPAddress.Any))
        {
            // No IP_PKTINFO control message: the raw socket delivered the IP header, whose bytes 16-19 are the destination.
            destination = result.ReceivedBytes >= 20 ? new IPAddress(buffer.Span.Slice(16, 4)) : IPAddress.Any;
        }

        return new VrrpDatagram(result.ReceivedBytes, destination, (result.SocketFlags & SocketFlags.Truncated) != 0);
    }

    /// <summary>
    /// A VRRPv3 checksum covers the pseudo-header (RFC 5798 §5.2.8), so each unicast copy gets its own; a VRRPv2
    /// message, or the multicast one the router checksummed for the group, goes out as it is.
    /// </summary>
    private ReadOnlySpan<byte> ForDestination(ReadOnlySpan<byte> message, int index)
    {
        if (!_multicast && message.Length >= Protocol.VrrpV3Advertisement.HeaderLength && message[0] >> 4 == Protocol.VrrpV3Advertisement.Version3)
        {
            if (_scratch.Length < message.Length)
            {
                _scratch = new byte[message.Length];
            }

            var copy = _scratch.AsSpan(0, message.Length);
            message.CopyTo(copy);
            Protocol.VrrpV3AdvertisementWriter.RewriteChecksum(copy, SourceAddress, _destinations[index]);
            return copy;
        }

        return message;
    }

    public void Dispose()
    {
        _sendSocket.Dispose();
        _receiveSocket.Dispose();
    }

    private static Socket OpenSendSocket(VrrpInstanceOptions options, InterfaceInfo interfaceInfo, IPAddress source)
    {
        var socket = CreateSocket(AF_INET, SOCK_RAW, IPPROTO_VRRP);
        try
        {
            BindToDevice(socket, interfaceInfo.Name);
            AttachDropAllFilter(socket);
            SetInt(socket, IPPROTO_IP, IP_TOS, 0xC0);
            SetInt(socket, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
            if (options.IsUnicast)
            {
                SetInt(socket, IPPROTO_IP, IP_TTL, 255);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(interfaceInfo.Index));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
                SetInt(socket, IPPROTO_IP, IP_MULTICAST_ALL, 0);
            }

            // IP_FREEBIND: the unicast source may be configured before the address itself appears (keepalived does
            // the same); the bind fixes the source address of every advert.
            SetInt(socket, IPPROTO_IP, IP_FREEBIND, 1);
            socket.Bind(new IPEndPoint(source, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket OpenReceiveSocket(VrrpInstanceOptions options, InterfaceInfo interfaceInfo, IPAddress source)
    {
        var socket = CreateSocket(AF_INET, SOCK_RAW, IPPROTO_VRRP);
        try
        {
            BindToDevice(socket, interfaceInfo.Name);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            // Only groups this socket joined, not every group any socket on the host joined.
            SetInt(socket, IPPROTO_IP, IP_MULTICAST_ALL, 0);
            if (options.IsUnicast)
            {
                SetInt(socket, IPPROTO_IP, IP_FREEBIND, 1);
                socket.Bind(new IPEndPoint(source, 0));
            }
            else
            {
                // Nothing arrives unless some socket joined the group on this device (docs/design/dotnet-notes.md §1).
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(options.MulticastGroup, interfaceInfo.Index));
                socket.Bind(new IPEndPoint(options.MulticastGroup, 0));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static void BindToDevice(Socket socket, string interfaceName)
    {
        Span<byte> name = stackalloc byte[Encoding.ASCII.GetByteCount(interfaceName) + 1];
        Encoding.ASCII.GetBytes(interfaceName, name);
        name[^1] = 0;
        socket.SetRawSocketOption(SOL_SOCKET, SO_BINDTODEVICE, name);
    }

    /// <summary>
    /// Classic BPF "ret #0" (drop every packet) so the send socket never queues the input a raw socket would otherwise
    /// receive (keepalived does the same). struct sock_fprog {ushort len; struct sock_filter *filter}.
    /// </summary>
    internal static unsafe void AttachDropAllFilter(Socket socket)
    {
        // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: code BPF_RET | BPF_K (0x06), k 0.
        ulong instruction = 0x06;
        Span<byte> program = stackalloc byte[2 * IntPtr.Size];
        program.Clear();
        MemoryMarshal.Write(program, (ushort)1);
        MemoryMarshal.Write(program[IntPtr.Size..], (nint)(&instruction));
        socket.SetRawSocketOption(SOL_SOCKET, SO_ATTACH_FILTER, program);
    }

    internal static void SetInt(Socket socket, int level, int name, int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(bytes, value);
        socket.SetRawSocketOption(level, name, bytes);
    }

    private static void RequireIPv4(IPAddress address, string what)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"The {what} {address} is not IPv4; VRRPv2 is IPv4 only.");
        }
    }

    private static bool IsMulticast(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return (bytes[0] & 0xF0) == 0xE0;
    }
}
