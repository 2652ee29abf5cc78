namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Inactivity timeouts, checked by the <see cref="TimeoutSweeper"/> instead of one timer per session.</summary>
internal sealed partial class ProxyConnection
{
    private readonly long _clientTimeout;
    private readonly long _serverTimeout;
    private readonly long _tunnelTimeout;
    private readonly long _clientFinTimeout;
    private readonly long _serverFinTimeout;
    private long _clientActivity;
    private long _serverActivity;

    /// <summary>
    /// haproxy semantics (l4proxy.md §4): once connected the tunnel timeout, if set, replaces client and server
    /// timeouts; a side that is half-closed (its FIN received or ours sent to it) uses its fin timeout, if set, even
    /// over the tunnel timeout. Activity on a side = a read from it or a completed write to it. Before that, the
    /// connect timeout of the current attempt.
    /// </summary>
    public void CheckTimeouts(long now)
    {
        var flags = Volatile.Read(ref _flags);
        if ((flags & FlagEstablished) == 0)
        {
            CheckConnectTimeout(now);
            return;
        }

        if (Reason != CloseReason.None)
        {
            return;
        }

        var tunnel = _tunnelTimeout != 0;
        var serverLimit = (flags & (FlagServerEof | FlagServerWriteShut)) != 0 && _serverFinTimeout != 0
            ? _serverFinTimeout
            : tunnel ? _tunnelTimeout : _serverTimeout;
        if (now - Volatile.Read(ref _serverActivity) > serverLimit)
        {
            Abort(tunnel && serverLimit == _tunnelTimeout ? CloseReason.TunnelTimeout : CloseReason.ServerTimeout);
            return;
        }

        var clientLimit = (flags & (FlagClientEof | FlagClientWriteShut)) != 0 && _clientFinTimeout != 0
            ? _clientFinTimeout
            : tunnel ? _tunnelTimeout : _clientTimeout;
        if (now - Volatile.Read(ref _clientActivity) > clientLimit)
        {
            Abort(tunnel && clientLimit == _tunnelTimeout ? CloseReason.TunnelTimeout : CloseReason.ClientTimeout);
        }
    }
}
