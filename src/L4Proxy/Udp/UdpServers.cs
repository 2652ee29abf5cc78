using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>How the servers of a UDP backend are modelled.</summary>
internal static class UdpServers
{
    /// <summary>
    /// The server as the runtime models it: with no active check of its own (a TCP connect to a UDP port proves
    /// nothing), so it never counts as down in its host group and is usable exactly while its host is, that is while
    /// the TCP checks of the servers grouped with it pass. Without grouping by host it is always up and only the
    /// passive signal (ICMP port unreachable, which redispatches a flow) applies.
    /// </summary>
    public static ServerOptions WithHostHealth(ServerOptions server) => new()
    {
        Name = server.Name,
        EndPoint = server.EndPoint,
        Weight = server.Weight,
        Backup = server.Backup,
        Check = false,
        HashKey = server.HashKey,
        Inter = server.Inter,
        FastInter = server.FastInter,
        DownInter = server.DownInter,
        Rise = server.Rise,
        Fall = server.Fall,
        InitialState = server.InitialState,
    };
}
