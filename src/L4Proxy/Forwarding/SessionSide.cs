namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>One of the two peers of a proxied session, or neither.</summary>
internal enum SessionSide : byte
{
    /// <summary>Not set yet.</summary>
    None = 0,

    /// <summary>The edge client, on the frontend's accepted socket.</summary>
    Client,

    /// <summary>The server, on the socket we connected.</summary>
    Server,
}
