using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Every server, across backends, that lives on one host address (KubeEdge #3439, #5784). The rule: <b>a host is up
/// only while every checked server grouped on it is up</b>; one failing port (say CloudCore's 10000) takes the host
/// out of every backend, so an edge's hub (10000) and stream (10004) connections never split across two CloudCores
/// because one port's check flapped. Unchecked members never count as down.
/// </summary>
internal sealed class HostGroup
{
    private int _downMembers;

    public HostGroup(IPAddress address) => Address = address;

    /// <summary>A lookup that hands out one group per address, creating it on first use.</summary>
    public static Func<IPAddress, HostGroup> PerAddress()
    {
        var hosts = new Dictionary<IPAddress, HostGroup>();
        return address => hosts.TryGetValue(address, out var host) ? host : hosts[address] = new HostGroup(address);
    }

    public IPAddress Address { get; }

    public List<ProxyServer> Members { get; } = [];

    public bool IsUp => Volatile.Read(ref _downMembers) == 0;

    public int DownMembers => Volatile.Read(ref _downMembers);

    public void Add(ProxyServer server)
    {
        Members.Add(server);
        if (!server.CheckUp)
        {
            Interlocked.Increment(ref _downMembers);
        }
    }

    public void MemberChanged(bool up)
    {
        if (up)
        {
            Interlocked.Decrement(ref _downMembers);
        }
        else
        {
            Interlocked.Increment(ref _downMembers);
        }
    }
}
