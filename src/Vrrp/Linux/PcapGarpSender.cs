using System.Net;
using Microsoft.Extensions.Logging;
using SharpPcap;
using SharpPcap.LibPcap;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Sends gratuitous ARPs through libpcap (SharpPcap). GARP is best effort: when libpcap is missing or the device cannot
/// be opened the failure is logged once at error level and the daemon keeps running; the open is retried on later
/// sends (the interface may appear later), except when libpcap itself is absent.
/// </summary>
/// <remarks>
/// The device is opened lazily on the first send, and its packet socket belongs to the network namespace of the
/// thread doing that first send.
/// </remarks>
internal sealed class PcapGarpSender : IGarpSender, IDisposable
{
    private readonly InterfaceInfo _interface;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly byte[] _frame = new byte[GratuitousArpFrame.Length];
    private readonly byte[] _mac;
    private LibPcapLiveDevice? _device;
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
            if (_disabled || (_device ??= TryOpenDevice()) is not { } device)
            {
                return;
            }

            GratuitousArpFrame.Write(_frame, _mac, address);
            try
            {
                device.SendPacket(_frame);
            }
            catch (PcapException ex)
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
            _disabled = true;
        }
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
            // No libpcap.so.0.8 (package libpcap0.8): retrying cannot help.
            _disabled = true;
            ReportOpenFailure("libpcap is not installed (install the libpcap0.8 package)", ex);
            return null;
        }
        catch (Exception ex) when (ex is PcapException or InvalidOperationException or TypeInitializationException)
        {
            device?.Dispose();
            ReportOpenFailure("the pcap device could not be opened", ex);
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
