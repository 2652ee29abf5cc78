using System.Runtime.InteropServices;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>Runs every configured VRRP instance and releases them cleanly on stop.</summary>
internal sealed partial class VrrpService(
    CloudCoreLbConfig config, TimeProvider time, VipGuardian guardian, ProcessLineage lineage, ProxyService proxy, CrashRecovery recovery, HeldInstances held, ILoggerFactory loggers)
    : IHostedService, IDisposable
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

        // A successor starts its guardian at commit: before that the VIPs are the old process's to release.
        if (!lineage.IsTakeover)
        {
            guardian.Start();
        }

        var opened = new List<HostedVrrpInstance>();
        try
        {
            foreach (var instance in config.VrrpInstances)
            {
                opened.Add(HostedVrrpInstance.Open(instance, _runtime, time, loggers, proxy.Runtime, recovery.VipLifetime(instance.Options.AdvertInterval)));
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
        FormSyncGroups(config, opened, membersKept: false);
        if (lineage.IsTakeover)
        {
            // Opened but silent until the old process commits (StartInherited).
            return Task.CompletedTask;
        }

        foreach (var instance in _instances)
        {
            HoldIfRecorded(instance);
            instance.Start();
        }

        RegisterRelease();
        return Task.CompletedTask;
    }

    /// <summary>
    /// In a successor, once the old process let go: the guardian takes the VIPs, and each instance resumes where the
    /// old one froze (a master stays master, its adverts on schedule).
    /// </summary>
    public void StartInherited(IReadOnlyList<VrrpResumePoint> points)
    {
        if (_instances.Length == 0)
        {
            return;
        }

        guardian.Start();
        foreach (var instance in _instances)
        {
            // After a crash the journal's resume point knows nothing of a hold; the file does.
            HoldIfRecorded(instance);
            instance.Handle.Start(points.FirstOrDefault(p => p.Instance == instance.Config.Options.Name));
        }

        RegisterRelease();
    }

    /// <summary>
    /// Holds <paramref name="instance"/> before it starts if the state directory says it was held (restart, crash,
    /// reboot); an upgrade's successor gets the same hold with the running state as well.
    /// </summary>
    private void HoldIfRecorded(HostedVrrpInstance instance)
    {
        if (held.Contains(instance.Config.Options.Name) && !instance.Handle.IsHeld && instance.Handle.Hold())
        {
            HostLog.InstanceStartsHeld(loggers.CreateLogger("CloudCoreLb.Vrrp"), instance.Config.Options.Name, held.Path!);
        }
    }

    /// <summary>Freezes every instance for an upgrade; see <see cref="VrrpInstanceHandle.Freeze"/>.</summary>
    public IReadOnlyList<VrrpResumePoint> Freeze() => [.. _instances.Select(i => i.Handle.Freeze())];

    /// <summary>Undoes <see cref="Freeze"/> after a failed upgrade.</summary>
    public void Thaw()
    {
        foreach (var instance in _instances)
        {
            instance.Handle.Thaw();
        }
    }

    private void RegisterRelease()
    {
        // Release first, then shut the rest down: the backup's takeover clock (skew time) starts at our priority-0
        // advert, so every millisecond spent stopping other services before it is a millisecond without a master.
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => ReleaseAll());
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
    /// are replaced (held ones start held), new ones start, removed ones release and stop.
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
            var startHeld = held.Contains(instance.Options.Name);
            if (old.Remove(instance.Options.Name, out var running))
            {
                if (running.Config == instance)
                {
                    result.Add(running);
                    kept++;
                    continue;
                }

                // An operator's hold is not configuration: the replaced instance starts held as well.
                startHeld = running.Handle.IsHeld;
                await running.DisposeAsync().ConfigureAwait(false);
                restarted++;
            }
            else
            {
                added++;
            }

            try
            {
                var created = HostedVrrpInstance.Open(instance, _runtime, time, loggers, proxy.Runtime, recovery.VipLifetime(instance.Options.AdvertInterval));
                if (startHeld)
                {
                    _ = created.Handle.Hold();
                }

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
        FormSyncGroups(next, result, membersKept: restarted == 0 && added == 0 && old.Count == 0);
        return (kept, restarted, added, old.Count, failures);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _sigterm?.Dispose();
        var handedOver = lineage.HandedOver;
        foreach (var instance in _instances)
        {
            // After an upgrade the successor holds the VIPs: no priority-0 advert, nothing removed.
            await (handedOver ? instance.DetachAsync() : instance.DisposeAsync()).ConfigureAwait(false);
        }

        _instances = [];
        await DisposeSyncGroupsAsync().ConfigureAwait(false);
        _runtime.Dispose();
        guardian.CleanStop();
    }

    public void Dispose() => _runtime.Dispose();
}
