using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Control;
using CloudCoreLb.Host.Metrics;
using CloudCoreLb.Host.Status;
using CloudCoreLb.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Cli;

/// <summary><c>cloudcore-lb run</c>: the daemon.</summary>
internal static class RunCommand
{
    public static int Execute(string path, string? node, string? controlSocket = null, bool jsonLogs = false)
    {
        CloudCoreLbConfig config;
        try
        {
            config = ConfigLoader.Load(path, node);
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors)
            {
                Console.Error.WriteLine(error);
            }

            Console.Error.WriteLine($"{path}: configuration rejected; not starting");
            return 1;
        }

        if (controlSocket is not null)
        {
            config = config.With(new ControlOptions { Socket = controlSocket });
        }

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
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(new ConfigState(config));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<VipGuardian>();
        // The proxy starts first and stops last: a node never advertises a VIP it cannot yet serve.
        builder.Services.AddSingleton<ProxyService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProxyService>());
        builder.Services.AddSingleton<VrrpService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<VrrpService>());
        builder.Services.AddSingleton<StatusProvider>();
        builder.Services.AddSingleton<ReloadCoordinator>();
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
            return 0;
        }
        catch (Exception ex)
        {
            HostLog.DaemonFailed(logger, ex);
            return 2;
        }
    }
}
