using System.Net;

namespace CloudCoreLb.Vrrp.Tests.TestDoubles;

/// <summary>Records every gratuitous ARP with its time.</summary>
internal sealed class RecordingGarpSender(InMemoryVrrpNetwork network) : IGarpSender
{
    public List<(TimeSpan At, IPAddress Address)> Sent { get; } = [];

    public void Send(IPAddress address) => Sent.Add((network.Now, address));

    public int CountAt(TimeSpan at) => Sent.Count(s => s.At == at);
}
