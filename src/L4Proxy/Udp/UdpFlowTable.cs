using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>
/// The flows of one UDP frontend by client address and port, with the two limits and idle expiry. Flows are kept in
/// a list ordered by last activity (each datagram moves its flow to the end), so expiry looks only at the flows that
/// did expire, however many there are. Owned by one loop thread; no locking.
/// </summary>
internal sealed class UdpFlowTable
{
    private readonly Dictionary<PeerAddress, UdpFlow> _flows = [];
    private readonly Dictionary<PeerAddress, int> _perSource = [];
    private UdpFlow? _oldest;
    private UdpFlow? _newest;

    public UdpFlowTable(int maxFlows, int maxFlowsPerSource)
    {
        MaxFlows = maxFlows;
        MaxFlowsPerSource = maxFlowsPerSource;
    }

    /// <summary>A reload may change it; flows above a lowered limit stay until they expire.</summary>
    public int MaxFlows { get; set; }

    public int MaxFlowsPerSource { get; set; }

    public int Count => _flows.Count;

    public IEnumerable<UdpFlow> Flows => _flows.Values;

    /// <summary>The flows by last activity, most recent first.</summary>
    public IEnumerable<UdpFlow> NewestFirst()
    {
        for (var flow = _newest; flow is not null; flow = flow.Older)
        {
            yield return flow;
        }
    }

    public bool TryGet(in PeerAddress client, out UdpFlow flow) => _flows.TryGetValue(client, out flow!);

    /// <summary>Starts a flow for <paramref name="client"/> unless a limit says no; it counts as active at <paramref name="now"/>.</summary>
    public UdpAdmission TryAdd(in PeerAddress client, long now, out UdpFlow? flow)
    {
        flow = null;
        if (_flows.Count >= MaxFlows)
        {
            return UdpAdmission.TableFull;
        }

        var source = client.WithoutPort;
        var fromSource = _perSource.GetValueOrDefault(source);
        if (fromSource >= MaxFlowsPerSource)
        {
            return UdpAdmission.SourceLimit;
        }

        flow = new UdpFlow(client) { LastActive = now };
        _flows.Add(client, flow);
        _perSource[source] = fromSource + 1;
        Append(flow);
        return UdpAdmission.Added;
    }

    /// <summary>A datagram went through <paramref name="flow"/> at <paramref name="now"/>.</summary>
    public void Touch(UdpFlow flow, long now)
    {
        flow.LastActive = now;
        if (_newest != flow)
        {
            Unlink(flow);
            Append(flow);
        }
    }

    public void Remove(UdpFlow flow)
    {
        if (!_flows.Remove(flow.Client))
        {
            return;
        }

        Unlink(flow);
        var source = flow.Client.WithoutPort;
        var left = _perSource[source] - 1;
        if (left == 0)
        {
            _perSource.Remove(source);
        }
        else
        {
            _perSource[source] = left;
        }
    }

    /// <summary>Removes every flow idle for <paramref name="idleTicks"/> or more and hands each to <paramref name="expired"/>.</summary>
    public int Expire(long now, long idleTicks, Action<UdpFlow> expired)
    {
        var count = 0;
        while (_oldest is { } flow && now - flow.LastActive >= idleTicks)
        {
            Remove(flow);
            expired(flow);
            count++;
        }

        return count;
    }

    /// <summary>Flows from one address now (for tests and status).</summary>
    public int FlowsFrom(in PeerAddress client) => _perSource.GetValueOrDefault(client.WithoutPort);

    private void Append(UdpFlow flow)
    {
        flow.Older = _newest;
        flow.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = flow;
        }

        _newest = flow;
        _oldest ??= flow;
    }

    private void Unlink(UdpFlow flow)
    {
        if (flow.Older is not null)
        {
            flow.Older.Newer = flow.Newer;
        }
        else if (_oldest == flow)
        {
            _oldest = flow.Newer;
        }

        if (flow.Newer is not null)
        {
            flow.Newer.Older = flow.Older;
        }
        else if (_newest == flow)
        {
            _newest = flow.Older;
        }

        flow.Older = null;
        flow.Newer = null;
    }
}

/// <summary>What <see cref="UdpFlowTable.TryAdd"/> decided.</summary>
internal enum UdpAdmission
{
    Added,
    TableFull,
    SourceLimit,
}
