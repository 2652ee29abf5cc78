namespace CloudCoreLb.L4Proxy.Counters;

/// <summary>Why a UDP datagram was not forwarded.</summary>
public enum UdpDrop
{
    /// <summary>It would have started a flow while the frontend held <c>MaxFlows</c>.</summary>
    TableFull,

    /// <summary>It would have started a flow while its source address held <c>MaxFlowsPerSource</c>.</summary>
    SourceLimit,

    /// <summary>No server of the backend was usable.</summary>
    NoServer,

    /// <summary>The kernel refused to send it (full socket buffer, no route, out of ports for a new flow).</summary>
    SendError,

    /// <summary>Larger than <c>MaxDatagramSize</c>.</summary>
    Oversize,
}
