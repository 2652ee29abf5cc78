using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.L4Proxy.Health;
using CloudCoreLb.L4Proxy.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// The L4 proxy as the host sees it: start from <see cref="ProxyOptions"/>, reload in process keeping every
/// established session (<see cref="ApplyAsync"/>), stop with a grace period, and report state.
/// </summary>
public sealed partial class ProxyRuntime : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ProxyContext? _context;
    private ProxyOptions? _options;
    private Dictionary<string, ProxyBackend> _backends = new(StringComparer.Ordinal);
    private Dictionary<string, ProxyFrontend> _frontends = new(StringComparer.Ordinal);
    private List<ServerHealthMonitor> _monitors = [];
    private Dictionary<ProxyServer, ServerHealthMonitor> _monitorByServer = [];

    /// <summary>Creates a runtime.</summary>
    /// <param name="loggerFactory">Logging; defaults to none.</param>
    /// <param name="time">Clock for timeouts and checks; defaults to the system clock.</param>
    public ProxyRuntime(ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
        : this(loggerFactory, time, null)
    {
    }

    internal ProxyRuntime(ILoggerFactory? loggerFactory, TimeProvider? time, Func<ProxyServer, IHealthProbe>? probeFactory)
    {
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("CloudCoreLb.L4Proxy");
        _time = time ?? TimeProvider.System;
        ProbeFactory = probeFactory ?? (server => new TcpConnectProbe(server.EndPoint, server.CheckTimeout, _time));
    }

    internal Func<ProxyServer, IHealthProbe> ProbeFactory { get; }

    /// <summary>Whether the runtime is serving.</summary>
    public bool IsRunning => _context is not null;

    /// <summary>Sessions open now.</summary>
    public int ActiveSessions => _context?.ActiveSessions ?? 0;

    internal ProxyContext? Context => _context;

    /// <summary>
    /// Crash recovery: where sessions older than its threshold and every listener are stored. Set before start;
    /// null (the default) stores nothing.
    /// </summary>
    public SessionPreservation? Preservation { get; set; }

    /// <summary>Validates the options, starts the checks and binds every frontend. Throws if a bind fails.</summary>
    public Task StartAsync(ProxyOptions options, CancellationToken cancellationToken) => StartAsync(options, takeover: false, cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(ProxyOptions, CancellationToken)"/> but without frontends: a process started to take
    /// over from a running one gets them, with the sessions, from <see cref="AdoptAsync"/>. Everything slow to start
    /// (threads, checks, the code itself) is ready before the old process freezes.
    /// </summary>
    public Task StartForTakeoverAsync(ProxyOptions options, CancellationToken cancellationToken) => StartAsync(options, takeover: true, cancellationToken);

    private async Task StartAsync(ProxyOptions options, bool takeover, CancellationToken cancellationToken)
    {
        ProxyOptionsValidator.ThrowIfInvalid(options);
        WarnIfDescriptorsShort(options);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_context is not null)
            {
                throw new InvalidOperationException("The proxy is already running; use ApplyAsync to change its configuration.");
            }

            var threads = options.Threads == 0 ? EpollLoopGroup.DefaultThreads : options.Threads;
            var loops = new EpollLoopGroup(threads, options.Splice, _time, OnLoopFault) { SweepPeriod = SweepPeriod(options) };
            var context = new ProxyContext(_time, _logger, loops, options.MaxConnections);
            context.ConnectFailed = OnConnectFailed;
            context.Preservation = Preservation;
            context.PreserveAfter = Preservation is { } p ? context.Ticks(p.Threshold) : 0;
            var (backends, monitors) = BuildBackends(options, previous: null);
            Dictionary<string, ProxyFrontend> frontends;
            List<Udp.UdpFrontend> udp = [];
            try
            {
                udp = takeover ? [] : BindUdp(options.Frontends, backends, context, []);
                frontends = takeover ? new(StringComparer.Ordinal)
                    : (await BindAsync(options.Frontends, backends, context).ConfigureAwait(false)).ToDictionary(f => f.Name, StringComparer.Ordinal);
            }
            catch
            {
                await Task.WhenAll(udp.Select(u => u.StopAsync())).ConfigureAwait(false);
                await DisposeAllAsync(monitors).ConfigureAwait(false);
                loops.Dispose();
                throw;
            }

            lock (_stateLock)
            {
                _context = context;
                _options = options;
                _backends = backends;
                _frontends = frontends;
                SetMonitors(monitors);
            }

            foreach (var monitor in monitors)
            {
                monitor.Start();
            }

            _awaitingHandover = takeover;
            StartListening(frontends.Values);
            await SwapUdpAsync(options.Frontends, backends, udp).ConfigureAwait(false);

            L4ProxyLog.ProxyStarted(_logger, frontends.Count, backends.Count, options.MaxConnections);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Closes every listener, lets open sessions finish for <see cref="ProxyOptions.StopGracePeriod"/> (or until
    /// <paramref name="cancellationToken"/> fires), then aborts the rest with <see cref="CloseReason.ProxyStopping"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var context = _context;
            if (context is null)
            {
                return;
            }

            foreach (var frontend in _frontends.Values)
            {
                await frontend.Listener.StopAsync().ConfigureAwait(false);
                Preservation?.Store.Remove(SessionPreservation.ListenerName(frontend.Name));
            }

            await StopUdpAsync().ConfigureAwait(false);
            L4ProxyLog.ProxyStopping(_logger, context.ActiveSessions, _options!.StopGracePeriod.TotalMilliseconds);
            await WaitForDrainAsync(context, _options.StopGracePeriod, cancellationToken).ConfigureAwait(false);
            await context.Stopping.CancelAsync().ConfigureAwait(false);
            var aborted = context.ActiveSessions;
            await context.ForEachSessionAsync(static connection => connection.Abort(CloseReason.ProxyStopping)).ConfigureAwait(false);
            await WaitForDrainAsync(context, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            await DisposeAllAsync(_monitors).ConfigureAwait(false);
            lock (_stateLock)
            {
                _monitors = [];
                _monitorByServer = [];
                _context = null;
            }

            context.Loops.Dispose();
            L4ProxyLog.ProxyStopped(_logger, aborted);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops with no grace period left.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    /// <summary>Every server of every backend, in configuration order.</summary>
    public IReadOnlyList<ServerStatus> GetServerStatus()
    {
        var result = new List<ServerStatus>();
        lock (_stateLock)
        {
            foreach (var backend in _backends.Values)
            {
                foreach (var s in backend.Servers)
                {
                    result.Add(StatusOf(s));
                }
            }
        }

        return result;
    }

    private static ServerStatus StatusOf(ProxyServer s) =>
        new(s.Backend.Name, s.Name, s.EndPoint, s.IsUsable, s.CheckUp, s.Checked, s.Backup, s.Weight, s.LastCheckStatus, s.LastCheckDuration, s.Counters, s.AdminState);

    /// <summary>Every frontend.</summary>
    public IReadOnlyList<FrontendStatus> GetFrontendStatus()
    {
        var result = new List<FrontendStatus>();
        lock (_stateLock)
        {
            foreach (var f in _frontends.Values)
            {
                result.Add(new FrontendStatus(f.Name, f.BoundEndPoint, f.Backend.Name, f.Options.MaxConnections, f.Counters));
            }

            // UDP frontends too: sessions are flows, the limit is max flows.
            foreach (var f in _udpFrontends.Values)
            {
                result.Add(new FrontendStatus(f.Name, f.BoundEndPoint, f.Backend.Name, f.Options.Udp.MaxFlows, f.Counters));
            }
        }

        return result;
    }

    /// <summary>Aggregated counters of a backend, or null if unknown.</summary>
    public ServerCounters? GetBackendCounters(string backend)
    {
        lock (_stateLock)
        {
            return _backends.TryGetValue(backend, out var b) ? b.Counters : null;
        }
    }

    /// <summary>The address a frontend is bound to (the real port when configured with 0).</summary>
    public IPEndPoint GetFrontendEndPoint(string frontend)
    {
        lock (_stateLock)
        {
            return _frontends[frontend].BoundEndPoint;
        }
    }

    internal ProxyBackend GetBackend(string name)
    {
        lock (_stateLock)
        {
            return _backends[name];
        }
    }

    internal ServerHealthMonitor? GetMonitor(ProxyServer server)
    {
        lock (_stateLock)
        {
            return _monitorByServer.GetValueOrDefault(server);
        }
    }

    private static async Task WaitForDrainAsync(ProxyContext context, TimeSpan grace, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        while (context.ActiveSessions > 0 && context.Time.GetElapsedTime(started) < grace && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), context.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// How often each loop checks its sessions' timeouts: an eighth of the shortest configured timeout, clamped to
    /// 5 ms-1 s, so a timeout fires at most 1/8 late and an idle session costs two timestamps, not a timer.
    /// </summary>
    private static TimeSpan SweepPeriod(ProxyOptions options) =>
        TimeSpan.FromTicks(Math.Clamp(ShortestTimeout(options).Ticks / 8, TimeSpan.FromMilliseconds(5).Ticks, TimeSpan.FromSeconds(1).Ticks));

    private static TimeSpan ShortestTimeout(ProxyOptions options)
    {
        var shortest = TimeSpan.MaxValue;
        void Consider(TimeSpan? t)
        {
            if (t is { } value && value < shortest)
            {
                shortest = value;
            }
        }

        foreach (var f in options.Frontends)
        {
            Consider(f.ClientTimeout);
            Consider(f.ClientFinTimeout);
            Consider(f.Protocol == ProxyProtocol.Udp ? f.Udp.IdleTimeout : null);
        }

        foreach (var b in options.Backends)
        {
            Consider(b.ConnectTimeout);
            Consider(b.ServerTimeout);
            Consider(b.TunnelTimeout);
            Consider(b.ServerFinTimeout);
        }

        return shortest == TimeSpan.MaxValue ? TimeSpan.FromSeconds(8) : shortest;
    }

    /// <summary>
    /// Binds a frontend for each of <paramref name="options"/>, or none: when one bind fails, the listeners already
    /// bound are closed again and the failure is rethrown, so a start or reload either gets every new listener or
    /// changes nothing.
    /// </summary>
    private async Task<List<ProxyFrontend>> BindAsync(IEnumerable<FrontendOptions> options, Dictionary<string, ProxyBackend> backends, ProxyContext context, Dictionary<string, int>? inherited = null)
    {
        var bound = new List<ProxyFrontend>();
        try
        {
            foreach (var fo in options.Where(IsTcp))
            {
                bound.Add(BindOrAdopt(fo, backends[fo.Backend], context, inherited));
            }

            return bound;
        }
        catch
        {
            foreach (var frontend in bound)
            {
                await frontend.Listener.StopAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private void StartListening(IEnumerable<ProxyFrontend> frontends)
    {
        foreach (var frontend in frontends)
        {
            frontend.Listener.Start();
            if (Preservation is { } preservation)
            {
                // Stored so a restarted process gets the same listening socket: SYNs queue meanwhile, none is refused.
                var name = SessionPreservation.ListenerName(frontend.Name);
                preservation.Store.Remove(name);
                preservation.Store.Store(name, [frontend.Listener.Fd]);
            }

            L4ProxyLog.FrontendListening(_logger, frontend.Name, frontend.BoundEndPoint, frontend.Backend.Name);
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<ServerHealthMonitor> monitors)
    {
        foreach (var monitor in monitors)
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnLoopFault(Exception exception) => L4ProxyLog.EventLoopFailed(_logger, exception);

    private void SetMonitors(List<ServerHealthMonitor> monitors)
    {
        _monitors = monitors;
        _monitorByServer = new Dictionary<ProxyServer, ServerHealthMonitor>(monitors.Count);
        foreach (var monitor in monitors)
        {
            _monitorByServer[monitor.Server] = monitor;
        }
    }
}
