using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// systemd watchdog (WatchdogSec): pings only while every VRRP state machine answers, so a wedged daemon is
/// restarted by systemd (and its ExecStopPost releases the VIP) instead of advertising nothing while holding it.
/// </summary>
internal sealed class WatchdogService(IServiceProvider services, VrrpService vrrp, CloudCoreLb.Host.Handover.ProcessLineage lineage, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifier = services.GetService<ISystemdNotifier>();
        if (notifier is not { IsEnabled: true }
            || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec)
            || usec <= 0
            || (Environment.GetEnvironmentVariable("WATCHDOG_PID") is { } pid && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            return;
        }

        try
        {
            // A successor pings once it is the main process (the old one keeps pinging until then).
            await lineage.Committed.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Ping three times per period: one late ping must not cost a restart.
        var period = TimeSpan.FromMicroseconds(usec / 3.0);
        var ping = new ServiceState("WATCHDOG=1");
        while (!stoppingToken.IsCancellationRequested)
        {
            if (vrrp.Instances.All(i => i.Handle.IsResponsive(period)))
            {
                notifier.Notify(ping);
            }

            try
            {
                await Task.Delay(period, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
