using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using static CloudCoreLb.Vrrp.Linux.LinuxInterop;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// VRRPv3 over IPv6 (RFC 5798 §5.1.2.2): raw AF_INET6 protocol-112 sockets, multicast to ff02::12 (or the configured
/// group) on the instance interface only, from the interface's link-local address, hop limit 255 and traffic class
/// 0xC0 (keepalived's, docs/design/vrrp.md §12).
/// </summary>
/// <remarks>
/// The checksum over the IPv6 pseudo-header is computed by the codec on send and verified by
/// <see cref="Protocol.VrrpV3AdvertValidator"/> on receive; IPV6_CHECKSUM is left off so the kernel neither writes
/// nor checks it and every bad checksum is counted once, by our validator. IPv6 raw sockets strip the IP header, so
/// the receive path reads source, destination (IPV6_PKTINFO) and hop limit (IPV6_HOPLIMIT) from recvmsg and passes
/// them on in the <see cref="VrrpDatagram"/>; the validator drops a hop limit other than 255 as InvalidTtl.
/// </remarks>
internal sealed partial class RawVrrpTransport
{
    private static RawVrrpTransport OpenIPv6(VrrpInstanceOptions options, InterfaceInfo interfaceInfo, ILogger logger)
    {
        var linkLocal = interfaceInfo.LinkLocalAddress ?? WaitForLinkLocal(interfaceInfo, options.Name, logger)
            ?? throw new InvalidOperationException(
                $"Interface {interfaceInfo.Name} has no usable IPv6 link-local address (IPv6 off, or duplicate address detection failed); VRRPv3 over IPv6 sends from it (RFC 5798 §5.1.2.2).");
        var group = options.MulticastGroup6;
        if (group.AddressFamily != AddressFamily.InterNetworkV6 || !group.IsIPv6Multicast)
        {
            throw new ArgumentException($"Multicast group {group} is not an IPv6 multicast address.", nameof(options));
        }

        // Link-scoped group and source carry the interface as scope id, so the kernel never picks another link.
        var scopedGroup = new IPAddress(group.GetAddressBytes(), interfaceInfo.Index);
        Socket? sendSocket = null;
        Socket? receiveSocket = null;
        try
        {
            sendSocket = OpenIPv6SendSocket(interfaceInfo, linkLocal);
            receiveSocket = OpenIPv6ReceiveSocket(interfaceInfo, scopedGroup);
            var transport = new RawVrrpTransport(sendSocket, receiveSocket, linkLocal, [scopedGroup], multicast: true, options.Name, interfaceInfo.Name, logger);
            VrrpLinuxLog.TransportOpened(logger, options.Name, interfaceInfo.Name, interfaceInfo.Index, "IPv6 multicast", linkLocal, scopedGroup.ToString());
            return transport;
        }
        catch
        {
            sendSocket?.Dispose();
            receiveSocket?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The interface's link-local address, waiting while it is tentative: a daemon started as its link comes up (at
    /// boot, or right after a link flap) finds the address in duplicate address detection, which passes after a random
    /// delay of up to 1 s and <c>dad_transmits</c> solicitations <c>retrans_time_ms</c> apart (RFC 4862 §5.4; Linux
    /// defaults 1 and 1000 ms). Waits no longer than that; null at once when there is no address in DAD at all.
    /// </summary>
    private static IPAddress? WaitForLinkLocal(InterfaceInfo interfaceInfo, string instance, ILogger logger)
    {
        var (address, tentative) = InterfaceInfo.GetLinkLocalState(interfaceInfo.Index);
        if (address is not null || !tentative)
        {
            return address;
        }

        var bound = DadDuration(interfaceInfo.Name);
        VrrpLinuxLog.WaitingForLinkLocal(logger, instance, interfaceInfo.Name, bound.TotalMilliseconds);
        var started = Environment.TickCount64;
        do
        {
            Thread.Sleep(50);
            (address, tentative) = InterfaceInfo.GetLinkLocalState(interfaceInfo.Index);
        }
        while (address is null && tentative && Environment.TickCount64 - started < bound.TotalMilliseconds);

        return address;
    }

    /// <summary>The longest DAD can take on <paramref name="interfaceName"/>, from the namespace's sysctls, plus a scheduling margin.</summary>
    private static TimeSpan DadDuration(string interfaceName)
    {
        var transmits = ReadSysctl($"/proc/sys/net/ipv6/conf/{interfaceName}/dad_transmits", 1);
        var retransMs = ReadSysctl($"/proc/sys/net/ipv6/neigh/{interfaceName}/retrans_time_ms", 1000);
        return TimeSpan.FromMilliseconds(1000 + ((long)transmits * retransMs) + 500);
    }

    private static int ReadSysctl(string path, int fallback)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
        catch (UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    private static Socket OpenIPv6SendSocket(InterfaceInfo interfaceInfo, IPAddress linkLocal) => CreateIPv6Socket(interfaceInfo, socket =>
    {
        AttachDropAllFilter(socket);
        SetInt(socket, IPPROTO_IPV6, IPV6_TCLASS, 0xC0);
        SetInt(socket, IPPROTO_IPV6, IPV6_MULTICAST_IF, interfaceInfo.Index);
        SetInt(socket, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
        SetInt(socket, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
        SetInt(socket, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);

        // The bind fixes the source of every advert: the link-local address is the tie-break identity.
        socket.Bind(new IPEndPoint(linkLocal, 0));
    });

    private static Socket OpenIPv6ReceiveSocket(InterfaceInfo interfaceInfo, IPAddress scopedGroup) => CreateIPv6Socket(interfaceInfo, socket =>
    {
        SetInt(socket, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
        SetInt(socket, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);

        // Only groups this socket joined, not every group any socket on the host joined.
        SetInt(socket, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(scopedGroup, interfaceInfo.Index));

        // Bound to the group: unicast VRRP to one of our addresses is not delivered to this socket.
        socket.Bind(new IPEndPoint(scopedGroup, 0));
    });

    /// <summary>A raw AF_INET6 protocol-112 socket on the interface, set up by <paramref name="configure"/>, closed again if that throws.</summary>
    private static Socket CreateIPv6Socket(InterfaceInfo interfaceInfo, Action<Socket> configure)
    {
        var socket = CreateSocket(AF_INET6, SOCK_RAW, IPPROTO_VRRP);
        try
        {
            BindToDevice(socket, interfaceInfo.Name);
            configure(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits for a datagram with a zero-byte peek (the managed socket's readiness wait, nothing is consumed), then
    /// takes it with recvmsg for the ancillary data.
    /// </summary>
    private async ValueTask<VrrpDatagram> ReceiveIPv6Async(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _receiveSocket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
            if (TryReceiveIPv6(_receiveSocket, buffer.Span, out var datagram))
            {
                return datagram;
            }
        }
    }
}
