using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Udp;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// UDP frontends: bound with the TCP ones, kept with their flows by a reload that keeps their name and address,
/// closed on stop before the loops end. Each frontend lives on one loop (frontends spread over the loops in
/// configuration order), so its flow table is single-threaded.
/// </summary>
public sealed partial class ProxyRuntime
{
    private Dictionary<string, UdpFrontend> _udpFrontends = new(StringComparer.Ordinal);

    /// <summary>Every UDP frontend with its datagram counters and flows now.</summary>
    public IReadOnlyList<UdpFrontendStatus> GetUdpFrontendStatus()
    {
        lock (_stateLock)
        {
            return [.. _udpFrontends.Values.Select(f => new UdpFrontendStatus(f.Name, f.BoundEndPoint, f.Backend.Name, f.FlowCount, f.Options.Udp.MaxFlows, f.Counters, f.Udp))];
        }
    }

    /// <summary>
    /// The flows of every UDP frontend, at most <paramref name="maxPerFrontend"/> each (most recently active first),
    /// read on their loops; a frontend whose loop does not answer within <paramref name="timeout"/> lists none.
    /// </summary>
    public async Task<UdpFlowList> GetUdpFlowsAsync(int maxPerFrontend, TimeSpan timeout)
    {
        UdpFrontend[] frontends;
        lock (_stateLock)
        {
            frontends = [.. _udpFrontends.Values];
        }

        var flows = new List<UdpFlowStatus>();
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var frontend in frontends)
        {
            totals[frontend.Name] = frontend.FlowCount;
            try
            {
                flows.AddRange(await frontend.ListFlowsAsync(maxPerFrontend).WaitAsync(timeout).ConfigureAwait(false));
            }
            catch (TimeoutException)
            {
                // A stuck loop must not hang status: that frontend's flows are shown as its count only.
            }
        }

        return new UdpFlowList(flows, totals);
    }

    internal UdpFrontend GetUdpFrontend(string name)
    {
        lock (_stateLock)
        {
            return _udpFrontends[name];
        }
    }

    private static bool IsTcp(FrontendOptions options) => options.Protocol == ProxyProtocol.Tcp;

    /// <summary>
    /// Binds the UDP frontends of <paramref name="options"/> that <paramref name="keep"/> cannot serve; all or none
    /// (a failed bind closes those already bound and rethrows).
    /// </summary>
    private static List<UdpFrontend> BindUdp(IEnumerable<FrontendOptions> options, Dictionary<string, ProxyBackend> backends, ProxyContext context, Dictionary<string, UdpFrontend> keep)
    {
        var bound = new List<UdpFrontend>();
        try
        {
            var index = keep.Count;
            foreach (var fo in options)
            {
                if (fo.Protocol != ProxyProtocol.Udp || (keep.TryGetValue(fo.Name, out var existing) && existing.CanKeepSocketFor(fo)))
                {
                    continue;
                }

                var loops = context.Loops.Loops;
                bound.Add(new UdpFrontend(fo, backends[fo.Backend], context, loops[index++ % loops.Count]));
            }

            return bound;
        }
        catch
        {
            foreach (var frontend in bound)
            {
                frontend.StopAsync().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    /// <summary>Swaps in a new set of UDP frontends: kept ones are updated, new ones start, dropped ones close.</summary>
    private async Task SwapUdpAsync(IEnumerable<FrontendOptions> options, Dictionary<string, ProxyBackend> backends, List<UdpFrontend> added)
    {
        var next = new Dictionary<string, UdpFrontend>(StringComparer.Ordinal);
        List<UdpFrontend> removed;
        lock (_stateLock)
        {
            foreach (var fo in options)
            {
                if (fo.Protocol == ProxyProtocol.Udp && _udpFrontends.TryGetValue(fo.Name, out var existing) && existing.CanKeepSocketFor(fo))
                {
                    existing.Update(fo, backends[fo.Backend]);
                    next.Add(fo.Name, existing);
                }
            }

            foreach (var frontend in added)
            {
                next.Add(frontend.Name, frontend);
            }

            removed = [.. _udpFrontends.Values.Where(f => !next.TryGetValue(f.Name, out var now) || now != f)];
            _udpFrontends = next;
        }

        foreach (var frontend in removed)
        {
            await frontend.StopAsync().ConfigureAwait(false);
        }

        foreach (var frontend in added)
        {
            frontend.Start();
        }
    }

    private async Task StopUdpAsync()
    {
        List<UdpFrontend> frontends;
        lock (_stateLock)
        {
            frontends = [.. _udpFrontends.Values];
            _udpFrontends = new(StringComparer.Ordinal);
        }

        foreach (var frontend in frontends)
        {
            await frontend.StopAsync().ConfigureAwait(false);
        }
    }
}
