using System.Runtime.InteropServices;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp.Linux;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Runs every configured VRRP instance and releases them cleanly on stop.</summary>
internal sealed class VrrpService(CloudCoreLbConfig config, TimeProvider time, VipGuardian guardian, ILoggerFactory loggers) : IHostedService
{
    // Replaced as a whole (copy on write): the SIGTERM handler and status readers enumerate it from other threads.
    private volatile HostedVrrpInstance[] _instances = [];
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
        _instances = config.VrrpInstances.Select(i => new HostedVrrpInstance(i, config.Checks, _links, guardian, time, loggers)).ToArray();
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
        foreach (var instance in _instances)
        {
            instance.Router.Stop();
        }
    }

    /// <summary>
    /// Applies a reloaded configuration: unchanged instances keep running untouched (no transition), changed ones
    /// are replaced, new ones start, removed ones release and stop.
    /// </summary>
    public async Task<(int Kept, int Restarted, int Added, int Removed, IReadOnlyList<string> Failures)> ApplyAsync(CloudCoreLbConfig next)
    {
        var failures = new List<string>();
        var old = _instances.ToDictionary(i => i.Config.Options.Name, StringComparer.Ordinal);
        var result = new List<HostedVrrpInstance>();
        int kept = 0, restarted = 0, added = 0;
        if (next.VrrpInstances.Count > 0)
        {
            guardian.Start();
            _links ??= new NetlinkLinkMonitor(loggers.CreateLogger<NetlinkLinkMonitor>());
        }

        foreach (var instance in next.VrrpInstances)
        {
            if (old.Remove(instance.Options.Name, out var running))
            {
                if (running.Fingerprint == VrrpInstanceFingerprint.Of(instance, next.Checks))
                {
                    result.Add(running);
                    kept++;
                    continue;
                }

                await running.DisposeAsync().ConfigureAwait(false);
                restarted++;
            }
            else
            {
                added++;
            }

            try
            {
                var created = new HostedVrrpInstance(instance, next.Checks, _links!, guardian, time, loggers);
                created.Start();
                result.Add(created);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException or System.ComponentModel.Win32Exception)
            {
                failures.Add($"{instance.Options.Name}: {ex.Message}");
            }
        }

        foreach (var removed in old.Values)
        {
            await removed.DisposeAsync().ConfigureAwait(false);
        }

        _instances = result.ToArray();
        return (kept, restarted, added, old.Count, failures);
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
