namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>Work handed to an <see cref="EpollLoop"/> from another thread (<see cref="EpollLoop.Post"/>).</summary>
internal interface IEpollWork
{
    /// <summary>Runs on the loop's thread.</summary>
    void Execute();
}
