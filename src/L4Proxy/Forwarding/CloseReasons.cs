namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Dense indexing of <see cref="CloseReason"/> for counter arrays.</summary>
internal static class CloseReasons
{
    /// <summary>Every reason but <see cref="CloseReason.None"/>, in counter order.</summary>
    public static readonly CloseReason[] All =
    [
        CloseReason.ClientClosed, CloseReason.ClientReset, CloseReason.ClientTimeout,
        CloseReason.ServerClosed, CloseReason.ServerReset, CloseReason.ServerTimeout, CloseReason.ConnectFailed, CloseReason.NoServer,
        CloseReason.TunnelTimeout, CloseReason.ServerMarkedDown, CloseReason.ProxyStopping, CloseReason.ResourceExhausted, CloseReason.InternalError,
        CloseReason.HandedOver,
    ];

    public static int Index(CloseReason reason) => reason switch
    {
        CloseReason.ClientClosed => 0,
        CloseReason.ClientReset => 1,
        CloseReason.ClientTimeout => 2,
        CloseReason.ServerClosed => 3,
        CloseReason.ServerReset => 4,
        CloseReason.ServerTimeout => 5,
        CloseReason.ConnectFailed => 6,
        CloseReason.NoServer => 7,
        CloseReason.TunnelTimeout => 8,
        CloseReason.ServerMarkedDown => 9,
        CloseReason.ProxyStopping => 10,
        CloseReason.ResourceExhausted => 11,
        CloseReason.HandedOver => 13,
        _ => 12,
    };
}
