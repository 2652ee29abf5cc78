using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// A tiny watcher process that removes our VIPs if the daemon dies without doing so (SIGKILL, OOM kill, crash).
/// keepalived leaves the VIP on a killed node while the backup takes it too (keepalived #2361, #2201, #672); here
/// the watcher holds the read end of a pipe only the daemon writes to: when the kernel closes the daemon's end, the
/// watcher runs <c>cloudcore-lb release-vips</c>, which sends the priority-0 advert the daemon could not and removes
/// only addresses carrying our netlink mark, so the backup takes over in its skew time (0.61 s). A clean
/// stop writes <c>exit</c> first, so the watcher leaves quietly. It is a shell (about 1 MB resident while waiting);
/// the .NET runtime only starts when there is something to release. Under systemd, ExecStopPost does the same job
/// when the whole cgroup is killed.
/// </summary>
internal sealed class VipGuardian(CloudCoreLb.Host.Configuration.CloudCoreLbConfig config, ILogger<VipGuardian> logger) : IDisposable
{
    private Process? _watcher;

    public void Start()
    {
        var self = Environment.ProcessPath;
        if (self is null || _watcher is not null)
        {
            return;
        }

        // `dotnet cloudcore-lb.dll` (tests, development) needs the dll path; the apphost or AOT binary runs as is.
        var command = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? $"'{self}' '{Path.Combine(AppContext.BaseDirectory, "cloudcore-lb.dll")}'"
            : $"'{self}'";
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"read -r line; [ \"$line\" = exit ] || exec {command} release-vips --config {Quote(config.SourceFile)} --node {Quote(config.NodeName)}");
        try
        {
            _watcher = Process.Start(psi);
            HostLog.GuardianStarted(logger, _watcher?.Id ?? 0);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            HostLog.GuardianFailed(logger, ex);
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Tells the watcher the daemon released everything itself.</summary>
    public void CleanStop()
    {
        if (_watcher is null)
        {
            return;
        }

        try
        {
            _watcher.StandardInput.WriteLine("exit");
            _watcher.StandardInput.Close();
            _watcher.WaitForExit(2000);
        }
        catch (IOException)
        {
            // The watcher is gone already; nothing to tell it.
        }

        _watcher.Dispose();
        _watcher = null;
    }

    public void Dispose() => CleanStop();
}
