using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.L4Proxy;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// Can this node's proxy serve? Its frontends are in the kernel's listen table (a listener that died is seen, not
/// assumed) and behind each of them at least one server is usable. Reads the running proxy, so a reload that adds a
/// frontend is checked from its next run on.
/// </summary>
internal sealed class ProxyServingProbe(ProxyRuntime proxy, string procNetDirectory = "/proc/net") : IHealthProbe
{
    public string Description => "proxy can serve";

    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!proxy.IsRunning)
        {
            return ProbeResult.Fail("NOPROXY", "the proxy is not running");
        }

        var frontends = proxy.GetFrontendStatus();
        if (frontends.Count == 0)
        {
            return ProbeResult.Fail("NOFRONTEND", "the proxy has no frontends");
        }

        foreach (var group in frontends.GroupBy(f => f.EndPoint.Address))
        {
            var address = group.Key.Equals(IPAddress.Any) || group.Key.Equals(IPAddress.IPv6Any) ? null : group.Key;
            var listening = await new ListenerProbe([.. group.Select(f => f.EndPoint.Port)], address, procNetDirectory).ProbeAsync(cancellationToken).ConfigureAwait(false);
            if (!listening.Success)
            {
                return ProbeResult.Fail("NOLISTEN", listening.Detail);
            }
        }

        var served = proxy.GetServerStatus().Where(s => s.Usable).Select(s => s.Backend).ToHashSet(StringComparer.Ordinal);
        var starved = frontends.Where(f => !served.Contains(f.Backend)).Select(f => $"{f.Frontend} ({f.Backend})").ToArray();
        return starved.Length == 0
            ? ProbeResult.Ok("SERVING")
            : ProbeResult.Fail("NOSERVER", $"no usable server behind {string.Join(", ", starved)}");
    }
}
