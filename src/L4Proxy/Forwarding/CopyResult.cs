namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>How one direction of a session ended.</summary>
internal enum CopyResult
{
    /// <summary>The source sent FIN; everything read was written to the destination.</summary>
    SourceClosed,

    /// <summary>Reading the source failed (RST).</summary>
    SourceError,

    /// <summary>Writing the destination failed (RST, broken pipe).</summary>
    DestinationError,

    /// <summary>The session was aborted by the proxy (timeout, stop, shutdown-sessions).</summary>
    Aborted,
}
