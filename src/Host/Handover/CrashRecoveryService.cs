using CloudCoreLb.Host.Hosting;
using CloudCoreLb.L4Proxy.Handover;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// Runs crash recovery (<see cref="CrashRecovery"/>): after a crash the proxy and VRRP start as for an upgrade's
/// takeover, then, once the host has started, the stored listeners and sessions are adopted and each master that is
/// still in time resumes with an advert at once. While running, it records every 100 ms when each master last
/// advertised, for the next process; a record is at most that stale, and stale means older, so a successor errs
/// towards starting as backup, never towards a second master.
/// </summary>
internal sealed class CrashRecoveryService(
    CrashRecovery recovery, ProcessLineage lineage, ProxyService proxy, VrrpService vrrp, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<CrashRecoveryService> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan RecordPeriod = TimeSpan.FromMilliseconds(100);

    private ITimer? _recorder;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!recovery.Enabled)
        {
            return Task.CompletedTask;
        }

        if (recovery.Recovered && !lineage.IsTakeover)
        {
            lineage.IsTakeover = true;
            lifetime.ApplicationStarted.Register(() => _ = Task.Run(RecoverAsync, CancellationToken.None));
        }
        else
        {
            StartRecording();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Only once the crashed process's records were read: until then they are the ones that count. Every state
    /// change is recorded at once too, so a new master is on record before its first interval ends and a demoted one
    /// is off it.
    /// </summary>
    private void StartRecording()
    {
        foreach (var instance in vrrp.Instances)
        {
            instance.Handle.StateChanged += _ => Record();
        }

        _recorder = time.CreateTimer(_ => Record(), null, RecordPeriod, RecordPeriod);
    }

    private void Record() => recovery.Record([.. vrrp.Instances.Select(i => i.Handle)]);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _recorder?.Dispose();

    private async Task RecoverAsync()
    {
        var result = new AdoptionResult(0, new Dictionary<string, int>());
        if (proxy.Runtime.IsRunning)
        {
            try
            {
                result = await proxy.Runtime.RecoverAsync(recovery.Stored).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                // Not adopted: the listeners bind anew below, the sessions are lost as they were before this existed.
                HandoverLog.JournalUnreadable(logger, ex.Message);
                result = await proxy.Runtime.RecoverAsync([]).ConfigureAwait(false);
            }

            proxy.Runtime.CompleteAdoption();
        }
        else
        {
            recovery.Discard();
        }

        lineage.Counters.Recovered(result.Adopted, result.Refused);
        var points = recovery.ResumePoints([.. vrrp.Instances.Select(i => i.Handle)]);
        vrrp.StartInherited(points);
        StartRecording();
        lineage.MarkCommitted();
        HandoverLog.Recovered(
            logger, result.Adopted, result.Refused.Count == 0 ? "none" : string.Join(", ", result.Refused.Select(r => $"{r.Key}={r.Value}")),
            points.Count == 0 ? "none" : string.Join(", ", points.Select(p => p.Instance)));
    }
}
