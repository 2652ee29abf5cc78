using System.Runtime.InteropServices;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp.Linux;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Runs every configured VRRP instance and releases them cleanly on stop.</summary>
internal sealed class VrrpService(CloudCoreLbConfig config, TimeProvider time, VipGuardian guardian, ILoggerFactory loggers) : IHostedService
{
    private readonly List<HostedVrrpInstance> _instances = [];
    private NetlinkLinkMonitor? _links;
    private PosixSignalRegistration? _sigterm;

    public IReadOnlyList<HostedVrrpInstance> Instances => _instances;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.VrrpInstances.Count == 0)
        {
            return Task.CompletedTask;
        }

        guardian.Start();
        _links = new NetlinkLinkMonitor(loggers.CreateLogger<NetlinkLinkMonitor>());
        foreach (var instance in config.VrrpInstances)
        {
            _instances.Add(new HostedVrrpInstance(instance, config.Checks, _links, time, loggers));
        }

        foreach (var instance in _instances)
        {
            instance.Start();
        }

        // Release first, then shut the rest down: the backup's takeover clock (skew time) starts at our priority-0
        // advert, so every millisecond spent stopping other services before it is a millisecond without a master.
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => ReleaseAll());
        return Task.CompletedTask;
    }

    private void ReleaseAll()
    {
        // Runs on the signal thread, possibly while StopAsync runs: the list is never modified after StartAsync.
        foreach (var instance in _instances)
        {
            instance.Router.Stop();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _sigterm?.Dispose();
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }

        _links?.Dispose();
        guardian.CleanStop();
    }
}
