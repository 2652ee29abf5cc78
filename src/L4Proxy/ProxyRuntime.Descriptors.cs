using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

public sealed partial class ProxyRuntime
{
    /// <summary>What the daemon holds open besides sessions (runtime, VRRP, checks, control socket): 175-180 measured at rest.</summary>
    private const int RuntimeDescriptors = 256;

    /// <summary>
    /// How many of the sessions <paramref name="options"/> allow fit under the descriptor limit: two descriptors per
    /// TCP session (client and server), one per UDP flow and one per listener, plus the runtime's own and the accept
    /// reserve. Under the unit (LimitNOFILE=1048576) all of them; under a shell's or a container's short hard limit the
    /// operator is told at start where accepting will pause, instead of finding out under load.
    /// </summary>
    internal static DescriptorSizing SizeDescriptors(ProxyOptions options)
    {
        var tcp = options.Frontends.Where(f => f.Protocol == ProxyProtocol.Tcp).ToArray();
        var sessions = (int)Math.Min(options.MaxConnections, tcp.Sum(f => (long)f.MaxConnections));
        var fixedCost = tcp.Length + options.Frontends.Where(f => f.Protocol == ProxyProtocol.Udp).Sum(f => (long)f.Udp.MaxFlows + 1)
            + DescriptorBudget.Reserve + RuntimeDescriptors;
        var (soft, hard) = DescriptorBudget.Limits();
        var fits = soft >= long.MaxValue ? sessions : Math.Min(sessions, Math.Max(0, ((long)soft - fixedCost) / 2));
        return new DescriptorSizing(sessions, (ulong)((2L * sessions) + fixedCost), soft, hard, fits);
    }

    private void WarnIfDescriptorsShort(ProxyOptions options)
    {
        var sizing = SizeDescriptors(options);
        if (sizing.Fits < sizing.Sessions)
        {
            L4ProxyLog.DescriptorLimitLow(_logger, sizing.Soft, sizing.Hard, sizing.Fits, sizing.Sessions);
        }
    }
}

/// <summary>The outcome of <see cref="ProxyRuntime.SizeDescriptors"/>: the sessions allowed, the descriptors they need, the limits, and the sessions that fit.</summary>
internal readonly record struct DescriptorSizing(int Sessions, ulong Needed, ulong Soft, ulong Hard, long Fits);
