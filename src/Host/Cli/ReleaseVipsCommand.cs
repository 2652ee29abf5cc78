using System.Net;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>cloudcore-lb release-vips</c>: removes every address carrying our netlink mark (IFA_PROTO), on every interface;
/// addresses configured by hand or by keepalived carry no mark and are never touched. With the configuration it also
/// does what the dead daemon's clean stop would have done first: a priority-0 advert for each instance whose VIPs it
/// held, so the backup takes over after its skew time (0.61 s) instead of the full master-down interval (3.6 s).
/// keepalived gets the same effect only when its parent alone is killed (its VRRP child releases on PDEATHSIG).
/// </summary>
internal static class ReleaseVipsCommand
{
    /// <param name="waitStdin">Wait for one line on stdin first (the guardian's go-ahead); <c>exit</c> cancels.</param>
    /// <param name="configPath">The daemon's configuration, for the priority-0 adverts; none means only the addresses go.</param>
    /// <param name="node">The node whose instances to release, as for <c>run --node</c>.</param>
    /// <param name="alreadyReleased">
    /// <c>ADDRESS/PREFIX@INTERFACE</c> entries the daemon's guardian deleted itself right after the crash: they are gone
    /// from the interface, but their instances still need the priority-0 advert.
    /// </param>
    /// <param name="stdout">Where each released address is reported.</param>
    /// <param name="stderr">Where failures are reported.</param>
    public static int Execute(bool waitStdin, string? configPath, string? node, IReadOnlyList<string> alreadyReleased, TextWriter stdout, TextWriter stderr)
    {
        if (waitStdin && Console.In.ReadLine() == "exit")
        {
            return 0;
        }

        var config = ReadConfig(configPath, node, stderr);
        var serviceResult = Environment.GetEnvironmentVariable("SERVICE_RESULT");
        var kept = KeptForRestart(config, serviceResult);
        if (kept.Count > 0)
        {
            stdout.WriteLine($"the daemon ended with '{serviceResult}': the VIPs of {string.Join(", ", kept.Select(k => k.Name))} stay for the restarted daemon to resume "
                + "(crash_recovery); they are leased, so the kernel deletes them within three advert intervals if it does not come back");
            if (kept.Count == config!.VrrpInstances.Count)
            {
                return 0;
            }
        }

        var instances = config?.VrrpInstances.Select(i => i.Options).Where(o => !kept.Contains(o)).ToArray() ?? [];
        try
        {
            // VIPs first: once the dead daemon's listeners are gone, this node answers SYNs to the VIP with RSTs
            // (refused connects); without the VIP they are dropped and the client's retransmission reaches the new
            // master. The priority-0 advert follows within milliseconds.
            var released = VrrpRelease.RemoveMarkedAddresses(keep: (interfaceName, address) => kept.Any(k => k.OwnsAddress(address.Address, interfaceName)));
            var gone = released.Select(m => (m.InterfaceName, m.Address.Address)).Concat(ParseAlreadyReleased(alreadyReleased, stderr)).ToArray();
            foreach (var instance in instances.Where(i => gone.Any(g => i.OwnsAddress(g.Address, g.InterfaceName))))
            {
                SendRelease(instance, stdout, stderr);
            }

            foreach (var (interfaceName, address) in released)
            {
                stdout.WriteLine($"released {address} dev {interfaceName}");
            }

            foreach (var entry in alreadyReleased)
            {
                stdout.WriteLine($"released by the guardian: {entry}");
            }

            if (gone.Length == 0)
            {
                stdout.WriteLine("no addresses of ours to release");
            }

            return 0;
        }
        catch (VrrpInstanceException ex)
        {
            stderr.WriteLine($"release-vips failed: {ex.Message}");
            return 1;
        }
    }

    private static IEnumerable<(string InterfaceName, IPAddress Address)> ParseAlreadyReleased(IReadOnlyList<string> entries, TextWriter stderr)
    {
        foreach (var entry in entries)
        {
            var at = entry.LastIndexOf('@');
            var slash = entry.IndexOf('/');
            var address = at <= 0 ? "" : entry[..(slash > 0 && slash < at ? slash : at)];
            if (at <= 0 || at == entry.Length - 1 || !IPAddress.TryParse(address, out var parsed))
            {
                stderr.WriteLine($"release-vips: ignoring --already-released '{entry}': expected ADDRESS/PREFIX@INTERFACE");
                continue;
            }

            yield return (entry[(at + 1)..], parsed);
        }
    }

    /// <summary>
    /// As systemd's ExecStopPost after a crash (<c>SERVICE_RESULT</c> other than <c>success</c>, with crash recovery
    /// on): the instances whose VIPs stay, for the daemon systemd restarts to resume with its sessions
    /// (docs/design/upgrade.md). Their VIPs are leased, so if it does not come back the kernel deletes them before a
    /// backup can take over. Instances advertising too often for a lease to protect (<see cref="CrashRecovery.LeaseProtects"/>)
    /// are never kept. Empty when every VIP must go now: a clean stop, a run outside systemd, crash recovery off, or no
    /// configuration to say so.
    /// </summary>
    internal static IReadOnlyList<VrrpInstanceOptions> KeptForRestart(CloudCoreLbConfig? config, string? serviceResult) =>
        config is { CrashRecovery.Enabled: true } && serviceResult is { Length: > 0 } && serviceResult != "success"
            ? [.. config.VrrpInstances.Select(i => i.Options).Where(o => CrashRecovery.LeaseProtects(o.AdvertInterval))]
            : [];

    private static CloudCoreLbConfig? ReadConfig(string? configPath, string? node, TextWriter stderr)
    {
        if (configPath is null)
        {
            return null;
        }

        try
        {
            return ConfigLoader.Load(configPath, node);
        }
        catch (ConfigException ex)
        {
            // The VIPs still go: a broken file must not keep a dead node holding them.
            stderr.WriteLine($"release-vips: {configPath} unreadable, removing VIPs without priority-0 adverts: {ex.Errors[0]}");
            return null;
        }
    }

    private static void SendRelease(VrrpInstanceOptions options, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var source = VrrpRelease.SendPriorityZero(options);
            stdout.WriteLine($"sent a priority-0 advert for {options.Name} (VRID {options.VirtualRouterId}) from {source}");
        }
        catch (VrrpInstanceException ex)
        {
            stderr.WriteLine($"release-vips: no priority-0 advert for {options.Name}: {ex.Message}");
        }
    }
}
