using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.L4Proxy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// Runs the L4 proxy on every node, whatever its VRRP state: frontends bind the wildcard address or the VIP
/// (IP_FREEBIND), so a node that becomes master forwards at once, with warm health state.
/// </summary>
internal sealed class ProxyService(CloudCoreLbConfig config, TimeProvider time, ProcessLineage lineage, CrashRecovery recovery, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    public ProxyRuntime Runtime { get; } = new(loggers, time);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Proxy is { } options)
        {
            Runtime.Preservation = recovery.Preservation;
            // A successor gets its frontends, with the old process's sessions, from the hand-over (or, after a crash,
            // from the descriptor store: CrashRecoveryService).
            await (lineage.IsTakeover ? Runtime.StartForTakeoverAsync(options, cancellationToken) : Runtime.StartAsync(options, cancellationToken)).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        !Runtime.IsRunning ? Task.CompletedTask
        : lineage.HandedOver ? Runtime.AbandonAsync()
        : Runtime.StopAsync(cancellationToken);

    private int _disposed;

    // The container disposes this once as a singleton and once more through the hosted-service factory.
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? Runtime.DisposeAsync() : ValueTask.CompletedTask;
}
