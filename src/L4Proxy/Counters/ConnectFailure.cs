namespace CloudCoreLb.L4Proxy.Counters;

/// <summary>Why one connect attempt to a server failed.</summary>
public enum ConnectFailure
{
    /// <summary>RST or ICMP unreachable (haproxy L4CON).</summary>
    Refused,

    /// <summary>The connect timeout expired (haproxy L4TOUT).</summary>
    Timeout,

    /// <summary>Anything else: no route, no local port, socket error.</summary>
    Other,
}
