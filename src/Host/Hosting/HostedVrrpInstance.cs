using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// One configured VRRP instance as the daemon runs it: the <see cref="VrrpInstanceHandle"/> with its tracked checks,
/// plus the notify hooks. Built, started and disposed as a unit.
/// </summary>
internal sealed class HostedVrrpInstance : IAsyncDisposable
{
    private readonly NotifyRunner? _notify;
    private readonly ILogger _logger;

    private HostedVrrpInstance(VrrpInstanceConfig config, VrrpInstanceHandle handle, ILogger logger)
    {
        Config = config;
        Handle = handle;
        _logger = logger;
        if (!config.Notify.IsEmpty)
        {
            _notify = new NotifyRunner(config.Options.Name, config.Notify, logger);
            handle.StateChanged += change => _notify.Enqueue(change.To, handle.Snapshot().EffectivePriority);
        }
    }

    /// <summary>The configuration this instance runs; a reload keeps it while the new one is equal.</summary>
    public VrrpInstanceConfig Config { get; }

    public VrrpInstanceHandle Handle { get; }

    /// <summary>Opens the instance and its checks.</summary>
    /// <exception cref="VrrpInstanceException">It could not be opened; nothing is left open.</exception>
    /// <param name="config">The instance as configured (what a reload compares).</param>
    /// <param name="runtime">Opens the VRRP side.</param>
    /// <param name="time">Clock of the checks.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="proxy">The proxy a <c>proxy</c> check looks at.</param>
    /// <param name="vipLifetime">Lease of the VIPs under crash recovery, or null.</param>
    public static HostedVrrpInstance Open(
        VrrpInstanceConfig config, VrrpRuntime runtime, TimeProvider time, ILoggerFactory loggers, L4Proxy.ProxyRuntime proxy, TimeSpan? vipLifetime = null)
    {
        var logger = loggers.CreateLogger("CloudCoreLb.Vrrp");
        var trackingLogger = loggers.CreateLogger("CloudCoreLb.HealthCheck");
        var tracks = config.Tracks.Select(t => new VrrpTrack(t.Definition.Create(time, trackingLogger, proxy), t.Weight)).ToArray();
        var handle = runtime.Open(vipLifetime is null ? config.Options : config.Options with { VipLifetime = vipLifetime }, tracks);
        var o = config.Options;
        foreach (var (track, reference) in handle.Tracks.Zip(config.Tracks))
        {
            HostLog.TrackingStarted(logger, o.Name, reference.Check, reference.Definition.Type, track.EffectiveWeight);
        }

        HostLog.InstanceStarting(logger, o.Name, o.Interface, o.VirtualRouterId, o.Priority, handle.SourceAddress.ToString());
        return new HostedVrrpInstance(config, handle, logger);
    }

    public void Start() => Handle.Start();

    public ValueTask DisposeAsync() => CloseAsync(release: true);

    /// <summary>Stops without releasing: the process that took over holds the VIPs.</summary>
    public ValueTask DetachAsync() => CloseAsync(release: false);

    private async ValueTask CloseAsync(bool release)
    {
        await (release ? Handle.DisposeAsync() : Handle.DetachAsync()).ConfigureAwait(false);
        var c = Handle.Snapshot().Counters;
        var drops = string.Join(", ", c.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}={d.Value}"));
        HostLog.InstanceStopped(_logger, Config.Options.Name, c.AdvertsSent, c.AdvertsReceived, c.GarpSent, drops.Length == 0 ? "none" : drops);
        if (_notify is not null)
        {
            await _notify.DisposeAsync().ConfigureAwait(false);
        }
    }
}
