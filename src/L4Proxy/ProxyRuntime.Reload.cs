using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.L4Proxy.Health;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// In-process reload. haproxy reloads by starting a new process that only inherits listening sockets, so every
/// established WebSocket either pins an old worker or is cut (docs/design/l4proxy.md §7, docs/design/kubeedge.md §10). Here nothing moves:
/// established sessions keep their sockets and the server they were connected to; frontends whose bind address is
/// unchanged keep their listening socket (no SYN is lost); servers that keep their backend, name and address keep
/// their health state and counters.
/// </summary>
public sealed partial class ProxyRuntime
{
    /// <summary>Applies a new configuration without dropping established sessions. Throws on invalid options
    /// (the running configuration stays) or when a new bind fails (new listeners are rolled back).</summary>
    public async Task ApplyAsync(ProxyOptions newOptions, CancellationToken cancellationToken = default)
    {
        ProxyOptionsValidator.ThrowIfInvalid(newOptions);
        WarnIfDescriptorsShort(newOptions);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var context = _context ?? throw new InvalidOperationException("The proxy is not running.");
            var previous = new Dictionary<string, ProxyServer>(StringComparer.Ordinal);
            foreach (var backend in _backends.Values)
            {
                foreach (var server in backend.Servers)
                {
                    previous[$"{backend.Name}/{server.Name}"] = server;
                }
            }

            var (backends, monitors) = BuildBackends(newOptions, previous);

            // Same name and same address (as configured, or as bound when configured with port 0): keep the
            // listening socket, so not one SYN in its queue is lost. The rest are bound first, so a failure leaves the
            // running configuration untouched.
            var kept = new List<(ProxyFrontend Frontend, FrontendOptions Options)>();
            var toBind = new List<FrontendOptions>();
            foreach (var fo in newOptions.Frontends)
            {
                if (_frontends.TryGetValue(fo.Name, out var existing) && existing.CanKeepListenerFor(fo))
                {
                    kept.Add((existing, fo));
                }
                else
                {
                    toBind.Add(fo);
                }
            }

            List<ProxyFrontend> added;
            List<Udp.UdpFrontend> udpAdded = [];
            try
            {
                udpAdded = BindUdp(newOptions.Frontends, backends, context, _udpFrontends);
                added = await BindAsync(toBind, backends, context).ConfigureAwait(false);
            }
            catch
            {
                await Task.WhenAll(udpAdded.Select(u => u.StopAsync())).ConfigureAwait(false);
                await DisposeAllAsync(monitors).ConfigureAwait(false);
                throw;
            }

            var removed = new List<ProxyFrontend>();
            var frontends = new Dictionary<string, ProxyFrontend>(StringComparer.Ordinal);
            List<ServerHealthMonitor> oldMonitors;
            lock (_stateLock)
            {
                foreach (var (frontend, fo) in kept)
                {
                    frontend.Update(fo, backends[fo.Backend]);
                    frontends.Add(frontend.Name, frontend);
                }

                foreach (var frontend in added)
                {
                    frontends.Add(frontend.Name, frontend);
                }

                foreach (var frontend in _frontends.Values)
                {
                    if (!frontends.TryGetValue(frontend.Name, out var now) || now != frontend)
                    {
                        removed.Add(frontend);
                    }
                }

                oldMonitors = _monitors;
                _backends = backends;
                _frontends = frontends;
                _options = newOptions;
                SetMonitors(monitors);
                context.GlobalLimiter.Max = newOptions.MaxConnections;
                context.GlobalLimiter.WakeAll();
            }

            await DisposeAllAsync(oldMonitors).ConfigureAwait(false);

            foreach (var monitor in monitors)
            {
                monitor.Start();
            }

            foreach (var frontend in removed)
            {
                await frontend.Listener.StopAsync().ConfigureAwait(false);
                Preservation?.Store.Remove(SessionPreservation.ListenerName(frontend.Name));
                L4ProxyLog.FrontendClosed(_logger, frontend.Name);
            }

            StartListening(added);
            await SwapUdpAsync(newOptions.Frontends, backends, udpAdded).ConfigureAwait(false);

            context.Loops.SweepPeriod = SweepPeriod(newOptions);
            L4ProxyLog.ProxyReloaded(_logger, frontends.Count, backends.Count, context.ActiveSessions);
        }
        finally
        {
            _lifecycle.Release();
        }
    }
}
