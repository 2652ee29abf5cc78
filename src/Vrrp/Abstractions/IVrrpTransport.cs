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
    /// Sends one VRRP message (the part after the IP header). The transport adds the IP header with TTL / hop limit
    /// 255, TOS / traffic class 0xC0 and protocol 112, to the group, or once per unicast peer.
    /// </summary>
    void Send(ReadOnlySpan<byte> vrrpMessage);

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/>: over IPv4 with its header (raw sockets always deliver
    /// it), over IPv6 the VRRP message alone with source and hop limit in the <see cref="VrrpDatagram"/>.
    /// </summary>
    ValueTask<VrrpDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>One received datagram: its length in the buffer and the address it was sent to.</summary>
/// <param name="Length">Bytes in the buffer: the IPv4 datagram with its header, or the bare VRRP message over IPv6.</param>
/// <param name="Destination">The address it was sent to (IP_PKTINFO / IPV6_PKTINFO).</param>
/// <param name="Truncated">MSG_TRUNC: the buffer was too small.</param>
/// <param name="Source">Over IPv6 only (no header in the buffer): the sender, from recvmsg's address.</param>
/// <param name="HopLimit">Over IPv6 only: the hop limit the packet arrived with (IPV6_HOPLIMIT), -1 when unknown.</param>
internal readonly record struct VrrpDatagram(int Length, IPAddress Destination, bool Truncated, IPAddress? Source = null, int HopLimit = -1);
