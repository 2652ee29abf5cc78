using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Health;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>Building the server model and reacting to health changes.</summary>
public sealed partial class ProxyRuntime
{
    private (Dictionary<string, ProxyBackend> Backends, List<ServerHealthMonitor> Monitors) BuildBackends(
        ProxyOptions options, IReadOnlyDictionary<string, ProxyServer>? previous)
    {
        var backends = new Dictionary<string, ProxyBackend>(StringComparer.Ordinal);
        var hostOf = options.GroupServersByHost ? HostGroup.PerAddress() : null;
        foreach (var bo in options.Backends)
        {
            backends.Add(bo.Name, new ProxyBackend(bo, hostOf, previous));
        }

        var monitors = new List<ServerHealthMonitor>();
        foreach (var backend in backends.Values)
        {
            foreach (var server in backend.Servers)
            {
                server.EffectiveUp = server.HealthUp;
                if (server.Checked)
                {
                    monitors.Add(new ServerHealthMonitor(server, ProbeFactory(server), _time, _logger, OnCheckStateChanged));
                }
            }
        }

        return (backends, monitors);
    }

    private void OnConnectFailed(ProxyServer server, ConnectFailure failure)
    {
        if (server.Checked)
        {
            GetMonitor(server)?.RequestFastCheck();
        }
    }

    /// <summary>
    /// A check verdict flipped. Under one lock: record it, recompute every affected server's effective state (the
    /// whole host group when grouped), count and log transitions, rebuild the affected balancers and, for backends
    /// with <see cref="BackendOptions.OnMarkedDownShutdownSessions"/>, abort the sessions of servers that went down.
    /// </summary>
    private void OnCheckStateChanged(ProxyServer server, bool up)
    {
        List<ProxyServer>? wentDown = null;
        lock (_stateLock)
        {
            if (!server.SetCheckUp(up))
            {
                return;
            }

            var affected = server.Host is { } host ? host.Members : [server];
            var backends = new HashSet<ProxyBackend>();
            foreach (var member in affected)
            {
                var usable = member.HealthUp;
                if (usable == member.EffectiveUp)
                {
                    continue;
                }

                member.EffectiveUp = usable;
                member.Counters.StateChanged(usable);
                backends.Add(member.Backend);
                if (!usable && member.Backend.Options.OnMarkedDownShutdownSessions)
                {
                    (wentDown ??= []).Add(member);
                }
            }

            foreach (var backend in backends)
            {
                backend.Balancer.Rebuild();
                var usableCount = backend.UsableServers();

                foreach (var member in affected)
                {
                    if (member.Backend != backend)
                    {
                        continue;
                    }

                    var reason = member == server
                        ? member.LastCheckStatus ?? "check"
                        : $"host {member.EndPoint.Address}: {server} is {(up ? "up" : "down")}";
                    if (member.EffectiveUp)
                    {
                        L4ProxyLog.ServerUp(_logger, member.ToString(), reason, usableCount, backend.Name);
                    }
                    else
                    {
                        L4ProxyLog.ServerDown(_logger, member.ToString(), reason, usableCount, backend.Name);
                    }
                }

                if (usableCount == 0)
                {
                    L4ProxyLog.BackendHasNoServer(_logger, backend.Name);
                }
            }
        }

        if (wentDown is not null)
        {
            foreach (var dead in wentDown)
            {
                ShutdownSessions(dead);
            }
        }
    }

    private void ShutdownSessions(ProxyServer server)
    {
        var context = _context;
        if (context is null)
        {
            return;
        }

        _ = ShutdownSessionsAsync(context, server);
    }

    private async Task ShutdownSessionsAsync(ProxyContext context, ProxyServer server)
    {
        var count = 0;
        try
        {
            await context.ForEachSessionAsync(connection =>
            {
                // Match by name, not identity: sessions opened before a reload hold the previous ProxyServer object.
                if (connection.Server is { } s && s.Name == server.Name && s.Backend.Name == server.Backend.Name && connection.IsEstablished)
                {
                    connection.Abort(CloseReason.ServerMarkedDown);
                    Interlocked.Increment(ref count);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The proxy stopped meanwhile: its own stop ends every session.
        }

        L4ProxyLog.SessionsShutDown(_logger, server.ToString(), count);
    }
}
