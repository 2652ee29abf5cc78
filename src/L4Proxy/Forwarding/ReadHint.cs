namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// What the epoll event behind a read says about the source's receive queue, so a direction can skip the read that
/// would only return EAGAIN or EOF. Descriptors are edge-triggered: a short recv empties the queue, and TCP delivers
/// in order, so once the peer's FIN has been seen nothing but the FIN is left after a short recv.
/// </summary>
internal enum ReadHint
{
    /// <summary>No event to go by (a resumed write, a retried burst): read until EAGAIN or EOF.</summary>
    ReadToEnd,

    /// <summary>The event reported data only: after a short read, later data raises a new edge.</summary>
    ShortReadDrains,

    /// <summary>
    /// The event reported the peer's FIN and no error: after a short read the source is at EOF, so the last bytes go
    /// out with MSG_MORE and our FIN rides on the same segment.
    /// </summary>
    FinAfterShortRead,
}
