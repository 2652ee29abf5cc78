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
        RestoreDefaultDisposition();
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

    /// <summary>
    /// A process started under <c>nohup</c> (or by anything else that ignores SIGHUP) inherits SIG_IGN, and the runtime
    /// then never delivers the signal to the registration: <c>kill -HUP</c> would do nothing. The default disposition
    /// is put back first, so SIGHUP reloads however the daemon was started (systemd already resets it for the unit).
    /// </summary>
    private static unsafe void RestoreDefaultDisposition()
    {
        var action = default(Tmds.Linux.sigaction);
        action.sa_handler = Tmds.Linux.LibC.SIG_DFL;
        _ = Tmds.Linux.LibC.sigaction(Tmds.Linux.LibC.SIGHUP, &action, null);
    }
}
