using System.ComponentModel;
using System.Net.Sockets;
using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// The VRRP side of the daemon on Linux: opens instances on real interfaces (raw protocol-112 sockets, rtnetlink for
/// VIPs, libpcap for gratuitous ARP and IPv6 Neighbor Advertisements) and shares one link monitor between them. The host composes through this type
/// and <see cref="VrrpInstanceHandle"/> only.
/// </summary>
public sealed class VrrpRuntime : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IVipObserver? _vipObserver;
    private readonly Lock _gate = new();
    private NetlinkLinkMonitor? _links;

    /// <summary>Creates a runtime; nothing is opened until the first <see cref="Open"/>.</summary>
    /// <param name="time">Clock of every state machine. <remarks>Defaults to the system clock.</remarks></param>
    /// <param name="loggers">Logging. <remarks>Defaults to none.</remarks></param>
    /// <param name="vipObserver">Told about every VIP added and removed. <remarks>Defaults to none.</remarks></param>
    public VrrpRuntime(TimeProvider? time = null, ILoggerFactory? loggers = null, IVipObserver? vipObserver = null)
    {
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _vipObserver = vipObserver;
    }

    /// <summary>
    /// Opens an instance on <see cref="VrrpInstanceOptions.Interface"/>, in the network namespace of the calling thread,
    /// tracking <paramref name="tracks"/> (the handle owns their checks from now on, also when this throws). Nothing is
    /// sent before <see cref="VrrpInstanceHandle.Start"/>.
    /// </summary>
    /// <exception cref="VrrpInstanceException">Invalid options, a missing interface or source address, or a socket the
    /// kernel refused; whatever was opened is closed again.</exception>
    public VrrpInstanceHandle Open(VrrpInstanceOptions options, IReadOnlyList<VrrpTrack>? tracks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        tracks ??= [];
        var resources = new List<IDisposable>();
        IVrrpTransport? transport = null;
        PriorityTracker? tracker = null;
        try
        {
            var errors = VrrpInstanceOptionsValidator.Validate(options);
            if (errors.Count > 0)
            {
                throw new VrrpInstanceException(options.Name, string.Join("; ", errors.Select(e => e.Message)));
            }

            var links = Links();
            var logger = _loggers.CreateLogger("CloudCoreLb.Vrrp");
            var nic = InterfaceInfo.Get(options.Interface, options.VirtualAddresses.Select(v => v.Address));
            transport = RawVrrpTransport.Open(options, nic, _loggers.CreateLogger<RawVrrpTransport>());
            var netlink = new NetlinkVipManager(nic, options.AddressLabel, _loggers.CreateLogger<NetlinkVipManager>(), options.VipLifetime);
            resources.Add(netlink);
            var garp = new PcapGarpSender(nic, _loggers.CreateLogger<PcapGarpSender>());
            resources.Add(garp);
            IVipManager vips = _vipObserver is null ? netlink : new ObservedVipManager(netlink, nic.Name, _vipObserver);
            var (devVips, devGarp) = OpenDevices(options, vips, new FamilyAnnouncer(garp, garp), resources);
            var router = new VrrpRouter(options, transport, devVips, devGarp, _time, logger);
            var instance = new VrrpInstance(options, router, transport, links, logger);
            tracker = new PriorityTracker(_loggers.CreateLogger("CloudCoreLb.HealthCheck"));
            foreach (var track in tracks)
            {
                tracker.Track(track.Check, track.Weight);
            }

            return new VrrpInstanceHandle(options, router, instance, tracker, tracks, resources);
        }
        catch (Exception ex) when (ex is VrrpInstanceException or ArgumentException or InvalidOperationException or SocketException or Win32Exception or DllNotFoundException)
        {
            tracker?.Dispose();
            foreach (var track in tracks)
            {
                track.Check.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            transport?.Dispose();
            for (var i = resources.Count - 1; i >= 0; i--)
            {
                resources[i].Dispose();
            }

            throw ex as VrrpInstanceException ?? new VrrpInstanceException(options.Name, ex.Message, ex);
        }
    }

    /// <summary>
    /// VIPs with their own <c>dev</c>: a marked netlink manager and a GARP sender per other interface, so
    /// <c>release-vips</c> and the guardian find them there too. The instance's own seams when no VIP has one.
    /// </summary>
    private (IVipManager Vips, IGarpSender Garp) OpenDevices(VrrpInstanceOptions options, IVipManager vips, IGarpSender garp, List<IDisposable> resources)
    {
        var devices = options.VirtualAddresses.Where(v => v.Device is { } d && d != options.Interface).GroupBy(v => v.Device!).ToArray();
        if (devices.Length == 0)
        {
            return (vips, garp);
        }

        var managers = new Dictionary<string, IVipManager>(StringComparer.Ordinal);
        var senders = new Dictionary<System.Net.IPAddress, IGarpSender>();
        foreach (var device in devices)
        {
            var nic = InterfaceInfo.Get(device.Key, options.VirtualAddresses.Select(v => v.Address));

            // The kernel wants a label to start with its interface's name: the instance's label fits its own only.
            var label = options.AddressLabel is { } l && l.StartsWith(device.Key, StringComparison.Ordinal) ? l : null;
            var netlink = new NetlinkVipManager(nic, label, _loggers.CreateLogger<NetlinkVipManager>(), options.VipLifetime);
            resources.Add(netlink);
            var sender = new PcapGarpSender(nic, _loggers.CreateLogger<PcapGarpSender>());
            resources.Add(sender);
            managers[device.Key] = _vipObserver is null ? netlink : new ObservedVipManager(netlink, nic.Name, _vipObserver);
            foreach (var vip in device)
            {
                senders[vip.Address] = new FamilyAnnouncer(sender, sender);
            }
        }

        return (new DeviceVipManager(vips, managers), new DeviceGarpSender(garp, senders));
    }

    /// <summary>Closes the shared link monitor; instances are disposed by their owners first.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _links?.Dispose();
            _links = null;
        }
    }

    private NetlinkLinkMonitor Links()
    {
        lock (_gate)
        {
            return _links ??= new NetlinkLinkMonitor(_loggers.CreateLogger<NetlinkLinkMonitor>(), _time);
        }
    }
}
