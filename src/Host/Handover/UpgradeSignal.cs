using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace CloudCoreLb.Host.Handover;

/// <summary>SIGUSR2 upgrades like <c>cloudcore-lb upgrade</c> (haproxy's master-worker uses the same signal for a reload).</summary>
internal sealed class UpgradeSignal(UpgradeCoordinator upgrade) : IHostedService, IDisposable
{
    private const int SigUsr2 = 12;
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create((PosixSignal)SigUsr2, context =>
        {
            context.Cancel = true;
            _ = Task.Run(async () =>
            {
                await upgrade.UpgradeAsync("SIGUSR2").ConfigureAwait(false);
                upgrade.ExitIfHandedOver();
            });
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _registration?.Dispose();
}
