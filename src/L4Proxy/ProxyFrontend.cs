using System.Net;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Runtime state of one frontend: its listening socket (bound by the constructor), limit and counters, and the
/// model new sessions are built from. A reload that keeps the frontend's address keeps its listener (not one SYN in
/// its queue is lost) and swaps in a new model; sessions keep the backend they started with.
/// </summary>
internal sealed class ProxyFrontend
{
    private volatile FrontendModel _model;

    /// <summary>
    /// Binds the frontend's address, or adopts <paramref name="inheritedFd"/> (a listener handed over by the previous
    /// process); throws when it cannot (nothing is left open then).
    /// </summary>
    public ProxyFrontend(FrontendOptions options, ProxyBackend backend, ProxyContext context, int inheritedFd = -1)
    {
        _model = new FrontendModel(options, backend);
        Name = options.Name;
        Limiter = new ConnectionLimiter(options.MaxConnections);
        Listener = new FrontendListener(context, this, inheritedFd);
    }

    public string Name { get; }

    /// <summary>Current options and backend, swapped together by a reload.</summary>
    public FrontendModel Model => _model;

    /// <summary>Current options; a reload may swap timeouts and limits.</summary>
    public FrontendOptions Options => _model.Options;

    /// <summary>New sessions go here; established ones keep the backend they started with.</summary>
    public ProxyBackend Backend => _model.Backend;

    public ConnectionLimiter Limiter { get; }

    public FrontendCounters Counters { get; } = new();

    public FrontendListener Listener { get; }

    /// <summary>The bound address (the real port when configured with port 0).</summary>
    public IPEndPoint BoundEndPoint => Listener.LocalEndPoint;

    /// <summary>Applies a reloaded configuration to new sessions; the listener stays.</summary>
    public void Update(FrontendOptions options, ProxyBackend backend)
    {
        _model = new FrontendModel(options, backend);
        Limiter.Max = options.MaxConnections;
        Limiter.WakeAll();
    }

    /// <summary>Whether a reloaded frontend can keep this one's listening socket: same name and same address.</summary>
    public bool CanKeepListenerFor(FrontendOptions options) =>
        options.Name == Name
        && ((Options.Bind!.Equals(options.Bind) && options.Bind!.Port != 0) || options.Bind!.Equals(BoundEndPoint));
}

/// <summary>What a new session of a frontend is built from: one configuration's options and backend.</summary>
internal sealed record FrontendModel(FrontendOptions Options, ProxyBackend Backend);
