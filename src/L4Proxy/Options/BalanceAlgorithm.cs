namespace CloudCoreLb.L4Proxy.Options;

/// <summary>How a backend picks a server for a new client connection.</summary>
public enum BalanceAlgorithm
{
    /// <summary>
    /// Consistent source hashing (weighted rendezvous / HRW) over the client IP: the same client lands on the same
    /// server in every process and on every node for the same server list; when a server goes down only its clients
    /// move, and they return when it comes back. The default.
    /// </summary>
    Source,

    /// <summary>
    /// haproxy's <c>balance source</c> with the default <c>hash-type map-based</c>, bit for bit: server =
    /// map[h % total weight] with h the client address as a big-endian integer (docs/design/l4proxy.md §1.1-§1.2). A change in
    /// the number of up servers remaps about 2/3 of all clients; offered for drop-in parity.
    /// </summary>
    SourceMapBased,

    /// <summary>Weighted round robin over up servers.</summary>
    RoundRobin,

    /// <summary>Fewest active connections relative to weight; ties go to the first declared server.</summary>
    LeastConn,
}
