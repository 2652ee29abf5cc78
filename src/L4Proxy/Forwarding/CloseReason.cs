namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Why a proxied session ended, grouped by side like Pipelines.Sockets.Unofficial's <c>PipeShutdownKind</c>: 1xx the
/// client, 2xx the server, 3xx the proxy. Used in logs and as a counter index; values are stable.
/// </summary>
public enum CloseReason
{
    /// <summary>Still open.</summary>
    None = 0,

    /// <summary>The client closed first (FIN) and the session ended cleanly (haproxy <c>--</c> / <c>CD</c>).</summary>
    ClientClosed = 100,

    /// <summary>The client reset the connection (haproxy <c>CD</c>).</summary>
    ClientReset = 101,

    /// <summary>Client-side inactivity or client-fin timeout expired (haproxy <c>cD</c>).</summary>
    ClientTimeout = 102,

    /// <summary>The server closed first (FIN) and the session ended cleanly.</summary>
    ServerClosed = 200,

    /// <summary>The server reset the connection (haproxy <c>SD</c>).</summary>
    ServerReset = 201,

    /// <summary>Server-side inactivity or server-fin timeout expired (haproxy <c>sD</c>).</summary>
    ServerTimeout = 202,

    /// <summary>Every connect attempt, retries included, failed (haproxy <c>SC</c>).</summary>
    ConnectFailed = 203,

    /// <summary>No usable server in the backend (haproxy <c>&lt;NOSRV&gt;</c> <c>SC</c>).</summary>
    NoServer = 204,

    /// <summary>The tunnel timeout expired on an established session.</summary>
    TunnelTimeout = 300,

    /// <summary>The server was marked down with on-marked-down shutdown-sessions (haproxy <c>D</c>).</summary>
    ServerMarkedDown = 301,

    /// <summary>The proxy was stopping (or the frontend removed) and the grace period ran out (haproxy <c>K</c>).</summary>
    ProxyStopping = 302,

    /// <summary>Out of resources (file descriptors, memory) while setting the session up (haproxy <c>R</c>).</summary>
    ResourceExhausted = 303,

    /// <summary>An unexpected error in the proxy (haproxy <c>I</c>).</summary>
    InternalError = 304,

    /// <summary>The session was handed to the process that replaced this one (upgrade); it goes on there.</summary>
    HandedOver = 305,
}
