using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Linux;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Runs every configured VRRP instance and releases them cleanly on stop.</summary>
internal sealed class VrrpService(CloudCoreLbConfig config, TimeProvider time, VipGuardian guardian, ILoggerFactory loggers) : IHostedService
{
    private readonly List<VrrpInstance> _instances = [];
    private readonly List<IDisposable> _resources = [];
    private NetlinkLinkMonitor? _links;

    public IReadOnlyList<VrrpInstance> Instances => _instances;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.VrrpInstances.Count == 0)
        {
            return Task.CompletedTask;
        }

        var logger = loggers.CreateLogger("CloudCoreLb.Vrrp");
        guardian.Start();
        _links = new NetlinkLinkMonitor(loggers.CreateLogger<NetlinkLinkMonitor>());
        foreach (var instance in config.VrrpInstances)
        {
            var options = instance.Options;
            var vips = options.VirtualAddresses.Select(v => v.Address).ToArray();
            var nic = InterfaceInfo.Get(options.Interface, vips);
            var transport = RawVrrpTransport.Open(options, nic, loggers.CreateLogger<RawVrrpTransport>());
            if (options.IsUnicast)
            {
                // One file lists every node as a peer; a node never sends to itself.
                options.UnicastPeers.Remove(transport.SourceAddress);
            }

            var vipManager = new NetlinkVipManager(nic, options.AddressLabel, loggers.CreateLogger<NetlinkVipManager>());
            var garp = new PcapGarpSender(nic, loggers.CreateLogger<PcapGarpSender>());
            _resources.Add(vipManager);
            _resources.Add(garp);
            var router = new VrrpRouter(options, transport, vipManager, garp, time, logger);
            var running = new VrrpInstance(options, router, transport, _links, logger);
            _instances.Add(running);
            HostLog.InstanceStarting(logger, options.Name, options.Interface, options.VirtualRouterId, options.Priority, transport.SourceAddress.ToString());
            running.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("CloudCoreLb.Vrrp");
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
            var c = instance.Router.Counters.Snapshot();
            var drops = string.Join(", ", c.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}={d.Value}"));
            HostLog.InstanceStopped(logger, instance.Options.Name, c.AdvertsSent, c.AdvertsReceived, c.GarpSent, drops.Length == 0 ? "none" : drops);
        }

        _instances.Clear();
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        _resources.Clear();
        _links?.Dispose();
        guardian.CleanStop();
    }
}
