using System.Runtime.InteropServices;
using CloudCoreLb.Host.Control;
using Microsoft.Extensions.Hosting;

namespace CloudCoreLb.Host.Hosting;

/// <summary>SIGHUP reloads the configuration (systemd ExecReload), instead of its default action of ending us.</summary>
internal sealed class ReloadSignal(ReloadCoordinator reload) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = reload.ReloadAsync(CancellationToken.None, "SIGHUP");
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
