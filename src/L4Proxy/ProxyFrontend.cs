using System.Net;
using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>Runtime state of one frontend: its options, listener, limit, counters and current backend.</summary>
internal sealed class ProxyFrontend
{
    private volatile ProxyBackend _backend;
    private volatile FrontendOptions _options;

    public ProxyFrontend(FrontendOptions options, ProxyBackend backend)
    {
        _options = options;
        _backend = backend;
        Name = options.Name;
        Limiter = new ConnectionLimiter(options.MaxConnections);
    }

    public string Name { get; }

    /// <summary>Current options; a reload may swap timeouts and limits in place.</summary>
    public FrontendOptions Options
    {
        get => _options;
        set
        {
            _options = value;
            Limiter.Max = value.MaxConnections;
            Limiter.WakeAll();
        }
    }

    /// <summary>New sessions go here; established ones keep the backend they started with.</summary>
    public ProxyBackend Backend
    {
        get => _backend;
        set => _backend = value;
    }

    public ConnectionLimiter Limiter { get; }

    public FrontendCounters Counters { get; } = new();

    public FrontendListener? Listener { get; set; }

    /// <summary>The bound address (the real port when configured with port 0).</summary>
    public IPEndPoint? BoundEndPoint => Listener?.LocalEndPoint;
}
