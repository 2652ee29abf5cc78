using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Sends and receives VRRP datagrams for one instance. The production implementation is a raw IPv4 socket on
/// protocol 112 (multicast or unicast); tests wire routers together through an in-memory network.
/// </summary>
internal interface IVrrpTransport : IDisposable
{
    /// <summary>The address adverts leave from: the equal-priority tie-break key (RFC 3768 §6.4.3).</summary>
    IPAddress SourceAddress { get; }

    /// <summary>
    /// Sends one VRRP message (the part after the IP header). The transport adds the IPv4 header with TTL 255,
    /// TOS 0xC0 and protocol 112, to the group, or once per unicast peer.
    /// </summary>
    void Send(ReadOnlySpan<byte> vrrpMessage);

    /// <summary>
    /// Receives one datagram, IPv4 header included (raw sockets always deliver it), into <paramref name="buffer"/>.
    /// </summary>
    ValueTask<VrrpDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>One received datagram: its length in the buffer and the address it was sent to.</summary>
internal readonly record struct VrrpDatagram(int Length, IPAddress Destination, bool Truncated);
