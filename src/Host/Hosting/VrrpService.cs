using System.Runtime.InteropServices;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Runs every configured VRRP instance and releases them cleanly on stop.</summary>
internal sealed class VrrpService(CloudCoreLbConfig config, TimeProvider time, VipGuardian guardian, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly VrrpRuntime _runtime = new(time, loggers, guardian);

    // Replaced as a whole (copy on write): the SIGTERM handler and status readers enumerate it from other threads.
    private volatile HostedVrrpInstance[] _instances = [];
    private PosixSignalRegistration? _sigterm;

    public IReadOnlyList<HostedVrrpInstance> Instances => _instances;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.VrrpInstances.Count == 0)
        {
            return Task.CompletedTask;
        }

        guardian.Start();
        var opened = new List<HostedVrrpInstance>();
        try
        {
            foreach (var instance in config.VrrpInstances)
            {
                opened.Add(HostedVrrpInstance.Open(instance, _runtime, time, loggers));
            }
        }
        catch (VrrpInstanceException)
        {
            // Nothing was started yet: close what opened, then let the host fail with the reason.
            foreach (var instance in opened)
            {
                instance.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        _instances = [.. opened];
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
            instance.Handle.Release();
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
        }

        foreach (var instance in next.VrrpInstances)
        {
            if (old.Remove(instance.Options.Name, out var running))
            {
                if (running.Config == instance)
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
                var created = HostedVrrpInstance.Open(instance, _runtime, time, loggers);
                created.Start();
                result.Add(created);
            }
            catch (VrrpInstanceException ex)
            {
                failures.Add(ex.Message);
            }
        }

        foreach (var removed in old.Values)
        {
            await removed.DisposeAsync().ConfigureAwait(false);
        }

        _instances = [.. result];
        return (kept, restarted, added, old.Count, failures);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _sigterm?.Dispose();
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }

        _instances = [];
        _runtime.Dispose();
        guardian.CleanStop();
    }

    public void Dispose() => _runtime.Dispose();
}
