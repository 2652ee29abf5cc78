namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>
/// The epoll event bits (&lt;sys/epoll.h&gt;) as constants: Tmds.LibC exposes them as properties, which cannot be
/// combined into the <c>const</c> masks the loops test on every event.
/// </summary>
internal static class EpollEvents
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint Exclusive = 1u << 28;
    public const uint EdgeTriggered = 1u << 31;

    /// <summary>Something to read: data, the peer's FIN, or an error the next read reports.</summary>
    public const uint Readable = In | Error | HangUp | ReadHangUp;

    /// <summary>Room to write, or an error the next write reports.</summary>
    public const uint Writable = Out | Error | HangUp;

    /// <summary>The peer's FIN, a hang-up or an error came with the event.</summary>
    public const uint EndOrError = Error | HangUp | ReadHangUp;
}
