using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// Everything one configured VRRP instance runs with on Linux: transport, VIP manager, GARP sender, the tracked
/// checks that move its priority, and its notify hooks. Built, started and disposed as a unit.
/// </summary>
internal sealed class HostedVrrpInstance : IAsyncDisposable
{
    private readonly List<IDisposable> _resources = [];
    private readonly List<TrackedCheck> _checks = [];
    private readonly PriorityTracker _tracker;
    private readonly NotifyRunner? _notify;
    private readonly ILogger _logger;

    public HostedVrrpInstance(VrrpInstanceConfig config, IReadOnlyDictionary<string, CheckDefinition> checks, ILinkMonitor links, VipGuardian guardian, TimeProvider time, ILoggerFactory loggers)
    {
        Config = config;
        Fingerprint = VrrpInstanceFingerprint.Of(config, checks);
        _logger = loggers.CreateLogger("CloudCoreLb.Vrrp");
        var options = config.Options;
        var nic = InterfaceInfo.Get(options.Interface, options.VirtualAddresses.Select(v => v.Address));
        var transport = RawVrrpTransport.Open(options, nic, loggers.CreateLogger<RawVrrpTransport>());
        if (options.IsUnicast)
        {
            // One file lists every node as a peer; a node never sends to itself.
            options.UnicastPeers.Remove(transport.SourceAddress);
        }

        var vips = new NetlinkVipManager(nic, options.AddressLabel, loggers.CreateLogger<NetlinkVipManager>());
        var garp = new PcapGarpSender(nic, loggers.CreateLogger<PcapGarpSender>());
        _resources.Add(vips);
        _resources.Add(garp);
        Router = new VrrpRouter(options, transport, new GuardedVipManager(vips, nic.Name, guardian), garp, time, _logger);
        Instance = new VrrpInstance(options, Router, transport, links, _logger);

        var trackingLogger = loggers.CreateLogger("CloudCoreLb.HealthCheck");
        _tracker = new PriorityTracker(trackingLogger);
        foreach (var track in config.Tracks)
        {
            var definition = checks[track.Check];
            var check = definition.Create(time, trackingLogger);
            _checks.Add(check);
            _tracker.Track(check, track.Weight);
            HostLog.TrackingStarted(_logger, options.Name, definition.Name, definition.Type, track.Weight ?? definition.Options.Weight);
        }

        // Applied before Start: a weight-0 check that has not reported yet holds the instance in FAULT (keepalived).
        var (delta, fault) = _tracker.Current;
        Router.SetTracking(delta, fault);
        _tracker.Changed += Router.SetTracking;

        if (!config.Notify.IsEmpty)
        {
            _notify = new NotifyRunner(options.Name, config.Notify, _logger);
            Router.StateChanged += change => _notify.Enqueue(change.To, Router.EffectivePriority);
        }

        HostLog.InstanceStarting(_logger, options.Name, options.Interface, options.VirtualRouterId, options.Priority, transport.SourceAddress.ToString());
    }

    public VrrpInstanceConfig Config { get; }

    /// <summary>The configuration this instance was built from, taken before anything adjusted it at start.</summary>
    public string Fingerprint { get; }

    public VrrpRouter Router { get; }

    public VrrpInstance Instance { get; }

    public PriorityTracker Tracker => _tracker;

    public void Start()
    {
        Instance.Start();
        foreach (var check in _checks)
        {
            check.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tracker.Changed -= Router.SetTracking;
        foreach (var check in _checks)
        {
            await check.DisposeAsync().ConfigureAwait(false);
        }

        _tracker.Dispose();
        await Instance.DisposeAsync().ConfigureAwait(false);
        var c = Router.Counters.Snapshot();
        var drops = string.Join(", ", c.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}={d.Value}"));
        HostLog.InstanceStopped(_logger, Config.Options.Name, c.AdvertsSent, c.AdvertsReceived, c.GarpSent, drops.Length == 0 ? "none" : drops);
        if (_notify is not null)
        {
            await _notify.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }
}
