using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SharpPcap;
using SharpPcap.LibPcap;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Announces VIPs on one interface: gratuitous ARP for IPv4 (docs/design/vrrp.md §6) and unsolicited Neighbor
/// Advertisements for IPv6 (§6, §12), frames built with PacketDotNet (<see cref="GratuitousArpFrame"/>,
/// <see cref="NeighborAdvertisementFrame"/>) and sent through libpcap with SharpPcap. Announcing is best effort: when
/// the device cannot be opened the failure is logged once at error level, the daemon keeps running and the open is
/// retried on later sends (the interface may appear later).
/// </summary>
/// <remarks>
/// <para>
/// One fallback, and only when libpcap itself cannot be loaded (no libpcap.so.0.8, i.e. the binary runs without the
/// package's libpcap0.8 / libpcap dependency, as in a bare container): the same frames go out through an AF_PACKET
/// socket, the path keepalived uses. Losing the announcements after a failover leaves neighbours sending to the old
/// master's MAC until their caches expire (minutes), so a missing optional library must not cost them; the kernel
/// socket needs no library and sends the PacketDotNet bytes unchanged. Every other libpcap failure (no such device,
/// no permission) would fail the packet socket the same way, so it has no fallback.
/// </para>
/// <para>
/// Neither path listens: the pcap handle gets a drop-all filter and a small ring, and the packet socket is bound with
/// protocol 0, which the kernel never delivers to (packet(7)) while it still sends whatever ethertype a frame carries.
/// The device is opened lazily on the first send, and its socket belongs to the network namespace of the thread
/// doing that first send.
/// </para>
/// </remarks>
internal sealed class PcapGarpSender : IGarpSender, INeighborAdvertisementSender, IDisposable
{
    // Matches no frame ("len <= 1"), so the kernel copies nothing into the capture ring we never read.
    private const string DropAllFilter = "less 1";

    private readonly InterfaceInfo _interface;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly PhysicalAddress _mac;
    private IPAddress? _linkLocal;
    private LibPcapLiveDevice? _device;
    private Socket? _packetSocket;
    private bool _failureLogged;
    private bool _linkLocalMissingLogged;
    private bool _disabled;

    public PcapGarpSender(InterfaceInfo interfaceInfo, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(interfaceInfo);
        ArgumentNullException.ThrowIfNull(logger);
        _interface = interfaceInfo;
        _logger = logger;
        _mac = interfaceInfo.MacAddress;
        _linkLocal = interfaceInfo.LinkLocalAddress;
        if (_mac.GetAddressBytes().Length != 6)
        {
            _disabled = true;
            VrrpLinuxLog.GarpSkippedNoMac(logger, interfaceInfo.Name);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="address"/> is not IPv4.</exception>
    public void Send(IPAddress address)
    {
        lock (_lock)
        {
            if (_disabled || !EnsureOpen())
            {
                return;
            }

            if (Transmit(GratuitousArpFrame.Create(_mac, address)) is { } failure)
            {
                VrrpLinuxLog.GarpSendFailed(_logger, address, _interface.Name, failure);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The IPv6 source is the interface's link-local address; when the interface had none yet at startup it is read
    /// again here, and the advertisement is skipped (logged once) while there is still none.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not a unicast IPv6 address.</exception>
    public void SendNeighborAdvertisement(IPAddress address)
    {
        lock (_lock)
        {
            if (_disabled || !EnsureOpen() || ResolveLinkLocal() is not { } source)
            {
                return;
            }

            if (Transmit(NeighborAdvertisementFrame.Create(_mac, source, address)) is { } failure)
            {
                VrrpLinuxLog.NeighborAdvertSendFailed(_logger, address, _interface.Name, failure);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _device?.Dispose();
            _device = null;
            _packetSocket?.Dispose();
            _packetSocket = null;
            _disabled = true;
        }
    }

    /// <summary>
    /// Skips libpcap and sends through an AF_PACKET socket opened now, in the calling thread's namespace; lets tests
    /// exercise the fallback on a host that has libpcap.
    /// </summary>
    internal static PcapGarpSender CreateWithPacketSocket(InterfaceInfo interfaceInfo, ILogger logger)
    {
        var sender = new PcapGarpSender(interfaceInfo, logger);
        sender._packetSocket = sender.TryOpenPacketSocket();
        return sender;
    }

    /// <summary>
    /// Sends one frame; a libpcap send that fails is tried once more. libpcap's capture socket is bound to the
    /// device, so the kernel marks it with ENETDOWN when the link goes down (packet_notifier in af_packet.c) and the
    /// next send reports that error and clears it, even when the link has come back meanwhile: without the retry the
    /// first GARP after every link flap was lost (found by the link-flap fault test). A link still down fails twice.
    /// </summary>
    private Exception? Transmit(byte[] frame)
    {
        try
        {
            if (_packetSocket is { } socket)
            {
                socket.Send(frame);
                return null;
            }

            try
            {
                _device!.SendPacket(frame);
            }
            catch (PcapException)
            {
                _device!.SendPacket(frame);
            }

            return null;
        }
        catch (Exception ex) when (ex is PcapException or SocketException)
        {
            return ex;
        }
    }

    private IPAddress? ResolveLinkLocal()
    {
        _linkLocal ??= InterfaceInfo.GetLinkLocalAddress(_interface.Index);
        if (_linkLocal is null && !_linkLocalMissingLogged)
        {
            _linkLocalMissingLogged = true;
            VrrpLinuxLog.NeighborAdvertSkippedNoLinkLocal(_logger, _interface.Name);
        }

        return _linkLocal;
    }

    private bool EnsureOpen()
    {
        if (_device is null && _packetSocket is null)
        {
            // Sets _packetSocket instead when libpcap is missing.
            _device = TryOpenDevice();
        }

        return _device is not null || _packetSocket is not null;
    }

    private LibPcapLiveDevice? TryOpenDevice()
    {
        LibPcapLiveDevice? device = null;
        try
        {
            // A fresh list rather than the cached LibPcapLiveDeviceList.Instance: the interface may be newer than the
            // first enumeration in this process.
            device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == _interface.Name);
            if (device is null)
            {
                ReportOpenFailure($"libpcap lists no device named {_interface.Name}", null);
                return null;
            }

            var configuration = new DeviceConfiguration { Mode = DeviceModes.None, Snaplen = 128, BufferSize = 64 * 1024 };

            // The ring size is a saving, not a requirement: a libpcap that refuses it still sends.
            configuration.ConfigurationFailed += (_, e) => VrrpLinuxLog.GarpDeviceTuningFailed(_logger, _interface.Name, e.Property, e.Message);
            device.Open(configuration);
            try
            {
                device.Filter = DropAllFilter;
            }
            catch (PcapException ex)
            {
                VrrpLinuxLog.GarpDeviceTuningFailed(_logger, _interface.Name, nameof(device.Filter), ex.Message);
            }

            VrrpLinuxLog.GarpDeviceOpened(_logger, _interface.Name);
            return device;
        }
        catch (Exception ex) when (ex is DllNotFoundException || ex.InnerException is DllNotFoundException)
        {
            // No libpcap.so.0.8 (package libpcap0.8): retrying cannot help, but the kernel can send the frame itself.
            device?.Dispose();
            VrrpLinuxLog.GarpUsingPacketSocket(_logger, _interface.Name);
            _packetSocket = TryOpenPacketSocket();
            return null;
        }
        catch (Exception ex) when (ex is PcapException or InvalidOperationException or TypeInitializationException)
        {
            device?.Dispose();
            ReportOpenFailure("the pcap device could not be opened", ex);
            return null;
        }
    }

    /// <summary>AF_PACKET, SOCK_RAW, protocol 0, bound to the interface: sends frames exactly as built, receives none.</summary>
    private Socket? TryOpenPacketSocket()
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, System.Net.Sockets.ProtocolType.IP);
            socket.Bind(new PacketSocketEndPoint(0, _interface.Index));
            return socket;
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            _disabled = true;
            ReportOpenFailure("neither libpcap nor an AF_PACKET socket is available", ex);
            return null;
        }
    }

    private void ReportOpenFailure(string reason, Exception? exception)
    {
        if (!_failureLogged)
        {
            _failureLogged = true;
            VrrpLinuxLog.GarpDeviceUnavailable(_logger, _interface.Name, reason, exception);
        }
    }
}
