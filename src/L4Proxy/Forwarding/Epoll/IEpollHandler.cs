namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>An object with descriptors registered in an <see cref="EpollLoop"/>. Every call comes on the loop's thread.</summary>
internal interface IEpollHandler
{
    /// <summary>Readiness of one registered descriptor.</summary>
    /// <param name="token">The registration this event belongs to (side and generation, see <see cref="EpollToken"/>).</param>
    /// <param name="events">The epoll event bits.</param>
    void OnEvents(EpollToken token, uint events);

    /// <summary>Called every sweep period with the current timestamp (inactivity and connect timeouts).</summary>
    void OnTick(long now);

    /// <summary>An exception escaped <see cref="OnEvents"/> or <see cref="OnTick"/>: a bug must cost this handler only.</summary>
    void OnFault(Exception exception);
}
