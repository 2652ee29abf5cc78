using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Control;
using CloudCoreLb.Host.Metrics;
using CloudCoreLb.Host.Status;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Host.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Cli;

/// <summary><c>cloudcore-lb run</c>: the daemon.</summary>
internal static class RunCommand
{
    public static int Execute(RunArguments arguments)
    {
        var path = arguments.ConfigPath;
        CloudCoreLbConfig config;
        try
        {
            config = ConfigLoader.Load(path, arguments.Node);
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors)
            {
                Console.Error.WriteLine(error);
            }

            Console.Error.WriteLine($"{path}: configuration rejected; not starting");
            if (arguments.Takeover is { } channel)
            {
                // The running daemon goes on; it tells whoever asked for the upgrade why.
                TakeoverReceiver.RefuseEarly(channel, $"the new process rejects {path}: {ex.Message}");
            }

            return 1;
        }

        if (arguments.ControlSocket is { } controlSocket)
        {
            config = config.With(new ControlOptions { Socket = controlSocket });
        }

        var jsonLogs = arguments.JsonLogs;

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (jsonLogs)
        {
            // Structured: event id, category, message and every template field as JSON properties.
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSystemd();
        if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is not null)
        {
            // AddSystemd only registers the notifier when systemd is our parent; a process started by `upgrade` has
            // the old daemon as parent but must still notify (MAINPID, WATCHDOG) once it is the main process.
            builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(new ConfigState(config));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(arguments);
        builder.Services.AddSingleton<ProcessLineage>();
        builder.Services.AddSingleton<CounterCarry>();
        builder.Services.AddSingleton<CrashRecovery>();
        // First of the hosted services: a successor receives the state before the proxy and VRRP start from it.
        builder.Services.AddSingleton<TakeoverReceiver>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TakeoverReceiver>());
        // Second: after a crash, the proxy and VRRP start as for a takeover, from what systemd kept.
        builder.Services.AddHostedService<CrashRecoveryService>();
        builder.Services.AddSingleton<VipGuardian>();
        // The proxy starts first and stops last: a node never advertises a VIP it cannot yet serve.
        builder.Services.AddSingleton<ProxyService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProxyService>());
        builder.Services.AddSingleton(s => HeldInstances.FromEnvironment(s.GetRequiredService<ILogger<HeldInstances>>()));
        builder.Services.AddSingleton<VrrpService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<VrrpService>());
        builder.Services.AddSingleton<StatusProvider>();
        builder.Services.AddSingleton<ReloadCoordinator>();
        builder.Services.AddSingleton<ControlOperations>();
        builder.Services.AddSingleton<UpgradeCoordinator>();
        builder.Services.AddHostedService<UpgradeSignal>();
        builder.Services.AddHostedService<ControlServer>();
        builder.Services.AddHostedService<ReloadSignal>();
        builder.Services.AddSingleton<MetricsExporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MetricsExporter>());
        builder.Services.AddHostedService<WatchdogService>();
        using var host = builder.Build();
        // Created before Run: the host's services are disposed by the time an exception leaves it.
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("cloudcore-lb");
        try
        {
            host.Run();
            return Environment.ExitCode;
        }
        catch (Exception ex)
        {
            HostLog.DaemonFailed(logger, ex);
            host.Services.GetRequiredService<TakeoverReceiver>().Refuse($"the new process failed to start: {ex.Message}");
            return 2;
        }
    }
}
