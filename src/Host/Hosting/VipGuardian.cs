using System.Diagnostics;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// A tiny watcher process that removes our VIPs if the daemon dies without doing so (SIGKILL, OOM kill, crash).
/// keepalived leaves the VIP on a killed node while the backup takes it too (keepalived #2361, #2201, #672); here
/// the watcher holds the read end of a pipe only the daemon writes to. The daemon tells it every address it adds
/// (<c>hold</c>) and removes (<c>release</c>); when the kernel closes the daemon's end, the watcher first deletes the
/// addresses still held with <c>ip addr del</c> (a few milliseconds: from then on new connects to the VIP are not
/// refused by a node without listeners, their SYNs are retransmitted to the next master), then runs
/// <c>cloudcore-lb release-vips</c>, which sends the priority-0 advert the daemon could not and removes whatever else
/// carries our netlink mark, so the backup takes over in its skew time (0.61 s). A clean stop writes <c>exit</c>
/// first, so the watcher leaves quietly. It is a shell (about 1 MB resident while waiting); the .NET runtime only
/// starts when there is something to release. Under systemd, ExecStopPost does the same job when the whole cgroup is
/// killed.
/// </summary>
internal sealed class VipGuardian(
    CloudCoreLb.Host.Configuration.CloudCoreLbConfig config, CrashRecovery recovery, ILogger<VipGuardian> logger) : IVipObserver, IDisposable
{
    private readonly Lock _lock = new();
    private Process? _watcher;

    public void Start()
    {
        // Under crash recovery the VIPs are leased instead: a killed daemon must not lose them before systemd has
        // restarted it, and the kernel deletes them if it does not come back (CrashRecovery.VipLifetime). Instances
        // that advertise too often for a lease to protect (sub-second adverts) still need the watcher.
        if (CloudCoreLb.Host.Cli.SelfCommand.Current is not { } self || _watcher is not null
            || (recovery.Enabled && config.VrrpInstances.All(i => recovery.VipLifetime(i.Options.AdvertInterval) is not null)))
        {
            return;
        }

        var command = string.Join(' ', new[] { self.File }.Concat(self.Prefix).Select(Quote));
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(WatcherScript($"{command} release-vips --config {Quote(config.SourceFile)} --node {Quote(config.NodeName)}"));
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

    /// <summary>
    /// The watcher: keeps the set of held addresses from the daemon's <c>hold</c> / <c>release</c> lines; on
    /// <c>exit</c> it leaves, on end of input (the daemon died) it deletes what is still held, then execs
    /// <paramref name="releaseCommand"/> with <c>--already-released ADDRESS/PREFIX@INTERFACE</c> for each, so the
    /// priority-0 advert still goes out for their instances.
    /// </summary>
    internal static string WatcherScript(string releaseCommand) =>
        $$"""
        held=
        while read -r op address device; do
          case "$op" in
            exit) exit 0 ;;
            hold) held="$held $address@$device" ;;
            release) kept=; for h in $held; do [ "$h" = "$address@$device" ] || kept="$kept $h"; done; held=$kept ;;
          esac
        done
        for h in $held; do
          command -v ip >/dev/null 2>&1 && ip addr del "${h%@*}" dev "${h#*@}" 2>/dev/null
          set -- "$@" --already-released "$h"
        done
        exec {{releaseCommand}} "$@"
        """;

    /// <summary>The daemon added <paramref name="address"/> on <paramref name="device"/>; a leased VIP is the kernel's to expire, not ours to delete.</summary>
    public void Added(VirtualAddress address, string device)
    {
        if (!IsLeased(address, device))
        {
            Tell($"hold {address} {device}");
        }
    }

    /// <summary>Whether <paramref name="address"/> on <paramref name="device"/> belongs to an instance whose VIPs crash recovery leases.</summary>
    internal bool IsLeased(VirtualAddress address, string device) =>
        config.VrrpInstances.Any(i => recovery.VipLifetime(i.Options.AdvertInterval) is not null && i.Options.OwnsAddress(address.Address, device));

    /// <summary>The daemon is about to remove <paramref name="address"/> from <paramref name="device"/>.</summary>
    public void Removing(VirtualAddress address, string device) => Tell($"release {address} {device}");

    private void Tell(string line)
    {
        lock (_lock)
        {
            if (_watcher is null)
            {
                return;
            }

            try
            {
                _watcher.StandardInput.WriteLine(line);
                _watcher.StandardInput.Flush();
            }
            catch (IOException ex)
            {
                // Someone killed the watcher: a clean stop still releases everything itself.
                HostLog.GuardianLost(logger, ex);
                _watcher.Dispose();
                _watcher = null;
            }
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Tells the watcher the daemon released everything itself.</summary>
    public void CleanStop()
    {
        lock (_lock)
        {
            StopWatcher();
        }
    }

    private void StopWatcher()
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
