namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>Inactivity timeouts, checked by the loop's sweep (<see cref="Epoll.IEpollHandler.OnTick"/>), not a timer per session.</summary>
internal sealed partial class ProxyConnection
{
    private const int FlagClientEof = 1;
    private const int FlagServerEof = 2;
    private const int FlagClientWriteShut = 4;
    private const int FlagServerWriteShut = 8;

    private readonly long _clientTimeout;
    private readonly long _serverTimeout;
    private readonly long _tunnelTimeout;
    private readonly long _clientFinTimeout;
    private readonly long _serverFinTimeout;
    private long _clientActivity;
    private long _serverActivity;
    private int _halfClosed;

    /// <summary>
    /// haproxy semantics (docs/design/l4proxy.md §4): once connected the tunnel timeout, if set, replaces client and server
    /// timeouts; a side that is half-closed (its FIN received or ours sent to it) uses its fin timeout, if set, even
    /// over the tunnel timeout. Activity on a side = a read from it or a completed write to it. Before that, the
    /// connect timeout of the current attempt.
    /// </summary>
    private void CheckTimeouts(long now)
    {
        if (_closed || _frozen)
        {
            return;
        }

        if (!_established)
        {
            CheckConnectTimeout(now);
            return;
        }

        var tunnel = _tunnelTimeout != 0;
        var serverLimit = (_halfClosed & (FlagServerEof | FlagServerWriteShut)) != 0 && _serverFinTimeout != 0
            ? _serverFinTimeout
            : tunnel ? _tunnelTimeout : _serverTimeout;
        if (now - _serverActivity > serverLimit)
        {
            Close(tunnel && serverLimit == _tunnelTimeout ? CloseReason.TunnelTimeout : CloseReason.ServerTimeout);
            return;
        }

        var clientLimit = (_halfClosed & (FlagClientEof | FlagClientWriteShut)) != 0 && _clientFinTimeout != 0
            ? _clientFinTimeout
            : tunnel ? _tunnelTimeout : _clientTimeout;
        if (now - _clientActivity > clientLimit)
        {
            Close(tunnel && clientLimit == _tunnelTimeout ? CloseReason.TunnelTimeout : CloseReason.ClientTimeout);
            return;
        }

        PreserveIfDue(now);
    }
}
