using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SharpPcap;
using SharpPcap.LibPcap;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Sends gratuitous ARPs through libpcap (SharpPcap). GARP is best effort: when the device cannot be opened the failure
/// is logged once at error level, the daemon keeps running and the open is retried on later sends (the interface may
/// appear later). When libpcap itself is missing, frames go out through a plain AF_PACKET socket instead (the path
/// keepalived uses), so a host without libpcap0.8 still announces its VIPs.
/// </summary>
/// <remarks>
/// The device is opened lazily on the first send, and its packet socket belongs to the network namespace of the
/// thread doing that first send.
/// </remarks>
internal sealed class PcapGarpSender : IGarpSender, IDisposable
{
    private const ushort EtherTypeArp = 0x0806;

    private readonly InterfaceInfo _interface;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly byte[] _frame = new byte[GratuitousArpFrame.Length];
    private readonly byte[] _mac;
    private LibPcapLiveDevice? _device;
    private Socket? _packetSocket;
    private bool _failureLogged;
    private bool _disabled;

    public PcapGarpSender(InterfaceInfo interfaceInfo, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(interfaceInfo);
        ArgumentNullException.ThrowIfNull(logger);
        _interface = interfaceInfo;
        _logger = logger;
        _mac = interfaceInfo.MacAddress.GetAddressBytes();
        if (_mac.Length != 6)
        {
            _disabled = true;
            VrrpLinuxLog.GarpSkippedNoMac(logger, interfaceInfo.Name);
        }
    }

    /// <inheritdoc />
    public void Send(IPAddress address)
    {
        lock (_lock)
        {
            if (_disabled || !EnsureOpen())
            {
                return;
            }

            GratuitousArpFrame.Write(_frame, _mac, address);
            try
            {
                if (_packetSocket is { } socket)
                {
                    socket.Send(_frame);
                }
                else
                {
                    _device!.SendPacket(_frame);
                }
            }
            catch (Exception ex) when (ex is PcapException or SocketException)
            {
                VrrpLinuxLog.GarpSendFailed(_logger, address, _interface.Name, ex);
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

            device.Open(DeviceModes.None);
            VrrpLinuxLog.GarpDeviceOpened(_logger, _interface.Name);
            return device;
        }
        catch (Exception ex) when (ex is DllNotFoundException || ex.InnerException is DllNotFoundException)
        {
            // No libpcap.so.0.8 (package libpcap0.8): retrying cannot help, but the kernel can send the frame itself.
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

    /// <summary>AF_PACKET, SOCK_RAW, ETH_P_ARP bound to the interface: the frame goes out exactly as built.</summary>
    private Socket? TryOpenPacketSocket()
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)IPAddress.HostToNetworkOrder((short)EtherTypeArp));
            // Never read: an empty receive buffer keeps incoming ARP from queueing up.
            socket.ReceiveBufferSize = 0;
            socket.Bind(new PacketSocketEndPoint(EtherTypeArp, _interface.Index));
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
