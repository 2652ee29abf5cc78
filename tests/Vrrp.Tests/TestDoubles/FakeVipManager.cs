namespace CloudCoreLb.Vrrp.Tests.TestDoubles;

/// <summary>An interface's address list with a timed log of what the router did to it.</summary>
internal sealed class FakeVipManager(InMemoryVrrpNetwork network) : IVipManager
{
    public HashSet<VirtualAddress> Present { get; } = [];

    public List<(TimeSpan At, string Operation, VirtualAddress Address)> Operations { get; } = [];

    public void Add(VirtualAddress address)
    {
        Operations.Add((network.Now, "add", address));
        Present.Add(address);
    }

    public void Renew(VirtualAddress address)
    {
        Operations.Add((network.Now, "renew", address));
        Present.Add(address);
    }

    public void Remove(VirtualAddress address)
    {
        Operations.Add((network.Now, "remove", address));
        Present.Remove(address);
    }

    public bool IsPresent(VirtualAddress address) => Present.Contains(address);

    public int Count(string operation) => Operations.Count(o => o.Operation == operation);
}
