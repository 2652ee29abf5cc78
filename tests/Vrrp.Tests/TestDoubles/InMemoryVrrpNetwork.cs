using System.Net;
using CloudCoreLb.Vrrp.Protocol;
using CloudCoreLb.Vrrp.Router;

namespace CloudCoreLb.Vrrp.Tests.TestDoubles;

/// <summary>
/// A multicast segment on a fake clock: every advert a router sends is wrapped in an IPv4 header (TTL 255, to the
/// group), or over IPv6 handed on bare with hop limit 255 to ff02::12, and delivered to every other attached router after <see cref="Latency"/>. Delivery goes through a
/// timer on the fake clock, never synchronously inside Send, because Send runs under the sender's lock and a
/// synchronous reply would re-enter it, which no real network does.
/// </summary>
internal sealed class InMemoryVrrpNetwork
{
    /// <summary>One-way delay of every delivery: 100 us, a LAN.</summary>
    public static readonly TimeSpan Latency = TimeSpan.FromMicroseconds(100);

    private readonly List<Node> _nodes = [];
    private readonly HashSet<(Node, Node)> _partitions = [];
    private readonly long _start;

    public InMemoryVrrpNetwork()
    {
        Time = new SteppedTimeProvider();
        _start = Time.GetTimestamp();
    }

    public SteppedTimeProvider Time { get; }

    /// <summary>Elapsed time since the network was created (on the monotonic clock: a wall-clock step leaves it alone).</summary>
    public TimeSpan Now => Time.GetElapsedTime(_start);

    /// <summary>Every advert sent, in order.</summary>
    public List<SentAdvert> Sent { get; } = [];

    public RouterHarness AddRouter(string address, byte priority, Func<VrrpInstanceOptions, VrrpInstanceOptions>? configure = null)
    {
        var options = Protocol.SeedOptions.Create(priority);
        options = configure?.Invoke(options) ?? options;
        var node = new Node(this, IPAddress.Parse(address));
        _nodes.Add(node);
        return new RouterHarness(this, node, options);
    }

    /// <summary>
    /// The router on <paramref name="old"/>'s node, rebuilt with other options (they are immutable): the old one is
    /// disposed before anything was started.
    /// </summary>
    public RouterHarness Reconfigure(RouterHarness old, Func<VrrpInstanceOptions, VrrpInstanceOptions> configure)
    {
        old.Dispose();
        return new RouterHarness(this, old.Node, configure(old.Options));
    }

    /// <summary>Stops traffic between two routers in both directions.</summary>
    public void Partition(RouterHarness a, RouterHarness b)
    {
        _partitions.Add((a.Node, b.Node));
        _partitions.Add((b.Node, a.Node));
    }

    public void Heal() => _partitions.Clear();

    /// <summary>Unplugs a router: it neither sends nor receives any more.</summary>
    public void Detach(RouterHarness router) => router.Node.Attached = false;

    /// <summary>Advances the fake clock.</summary>
    public void Advance(TimeSpan delta) => Time.Advance(delta);

    /// <summary>Advances the fake clock to an absolute network time.</summary>
    public void AdvanceTo(TimeSpan at)
    {
        Assert.True(at >= Now, $"cannot go back from {Now} to {at}");
        Time.Advance(at - Now);
    }

    private void Deliver(Node from, ReadOnlySpan<byte> message)
    {
        if (!from.Attached)
        {
            return;
        }

        Sent.Add(new SentAdvert(Now, from.SourceAddress, message[VrrpAdvertisement.PriorityOffset], message.ToArray()));
        if (from.SourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            // IPv6 raw sockets deliver the bare message; source, group and hop limit come from the ancillary data.
            var bare = message.ToArray();
            DeliverLater(from, to => to.Router?.OnIPv6Datagram(bare, from.SourceAddress, VrrpV3Advertisement.IPv6Group, Ipv4Header.VrrpTimeToLive));
            return;
        }

        var datagram = new byte[Ipv4Header.MinimumLength + message.Length];
        Ipv4Header.Write(datagram, (ushort)datagram.Length, 1, Ipv4Header.VrrpTimeToLive, Ipv4Header.ProtocolVrrp, Ipv4Address.ToUInt32(from.SourceAddress), Ipv4Address.ToUInt32(Protocol.SeedOptions.Group));
        message.CopyTo(datagram.AsSpan(Ipv4Header.MinimumLength));
        DeliverLater(from, to => to.Router?.OnDatagram(datagram, Protocol.SeedOptions.Group));
    }

    private void DeliverLater(Node from, Action<Node> deliver)
    {
        foreach (var to in _nodes)
        {
            if (to != from && to.Attached && !_partitions.Contains((from, to)))
            {
                ITimer? timer = null;
                timer = Time.CreateTimer(
                    _ =>
                    {
                        timer?.Dispose();
                        if (to.Attached && !_partitions.Contains((from, to)))
                        {
                            deliver(to);
                        }
                    },
                    null,
                    Latency,
                    Timeout.InfiniteTimeSpan);
            }
        }
    }

    internal sealed class Node(InMemoryVrrpNetwork network, IPAddress source) : IVrrpTransport
    {
        public IPAddress SourceAddress { get; } = source;

        public bool Attached { get; set; } = true;

        public VrrpRouter? Router { get; set; }

        public void Send(ReadOnlySpan<byte> vrrpMessage) => network.Deliver(this, vrrpMessage);

        public ValueTask<VrrpDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The in-memory network pushes datagrams into VrrpRouter.OnDatagram.");

        public void Dispose()
        {
        }
    }
}

/// <summary>One advert as it left a router.</summary>
internal sealed record SentAdvert(TimeSpan At, IPAddress From, byte Priority, byte[] Message);

/// <summary>A router on the in-memory network with its fakes and a timed record of its transitions.</summary>
internal sealed class RouterHarness : IDisposable
{
    private readonly InMemoryVrrpNetwork _network;

    public RouterHarness(InMemoryVrrpNetwork network, InMemoryVrrpNetwork.Node node, VrrpInstanceOptions options, ListLogger? logger = null)
    {
        _network = network;
        Node = node;
        Options = options;
        Vips = new FakeVipManager(network);
        Garp = new RecordingGarpSender(network);
        Logger = logger ?? new ListLogger();
        Router = new VrrpRouter(options, node, Vips, Garp, network.Time, Logger);
        Router.StateChanged += change => Changes.Add((network.Now, change));
        node.Router = Router;
    }

    public InMemoryVrrpNetwork.Node Node { get; }

    public VrrpInstanceOptions Options { get; }

    public VrrpRouter Router { get; }

    public FakeVipManager Vips { get; }

    public RecordingGarpSender Garp { get; }

    public ListLogger Logger { get; }

    public IPAddress Address => Node.SourceAddress;

    public VrrpState State => Router.State;

    public List<(TimeSpan At, VrrpStateChange Change)> Changes { get; } = [];

    /// <summary>When this router last became master, or null.</summary>
    public TimeSpan? BecameMasterAt => Changes.LastOrDefault(c => c.Change.To == VrrpState.Master) is { Change.To: VrrpState.Master } c ? c.At : null;

    /// <summary>The adverts this router sent.</summary>
    public IEnumerable<SentAdvert> SentAdverts => _network.Sent.Where(s => s.From.Equals(Address));

    public void Start() => Router.Start();

    /// <summary>SIGKILL: nothing is sent, nothing released, the router is gone from the segment.</summary>
    public void Kill()
    {
        _network.Detach(this);
        Router.Dispose();
    }

    public void Dispose() => Router.Dispose();
}
