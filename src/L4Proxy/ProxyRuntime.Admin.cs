namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Operator states (<see cref="ServerAdminState"/>). Drain and maint take a server out of every balancer through the
/// same <see cref="ProxyServer.IsUsable"/> a failed check clears, so the consistent hash moves only that server's
/// clients; neither touches an established session. Maint also parks the server's check.
/// </summary>
public sealed partial class ProxyRuntime
{
    /// <summary>
    /// Sets <paramref name="state"/> on every server <paramref name="target"/> matches and returns their status
    /// afterwards; empty when nothing matched. Reloads keep the state of a server with the same backend, name and
    /// address; an upgrade hands it to the next process.
    /// </summary>
    public IReadOnlyList<ServerStatus> SetAdminState(ServerTarget target, ServerAdminState state)
    {
        ArgumentNullException.ThrowIfNull(target);
        var result = new List<ServerStatus>();
        lock (_stateLock)
        {
            var backends = new HashSet<ProxyBackend>();
            foreach (var backend in _backends.Values)
            {
                foreach (var server in backend.Servers)
                {
                    if (!target.Matches(server))
                    {
                        continue;
                    }

                    if (SetAdminStateLocked(server, state))
                    {
                        backends.Add(backend);
                    }

                    result.Add(StatusOf(server));
                }
            }

            foreach (var backend in backends)
            {
                backend.Balancer.Rebuild();
                if (backend.UsableServers() == 0)
                {
                    L4ProxyLog.BackendHasNoServer(_logger, backend.Name);
                }
            }
        }

        return result;
    }

    /// <summary>Under the state lock. Returns true when the state changed.</summary>
    private bool SetAdminStateLocked(ProxyServer server, ServerAdminState state)
    {
        var old = server.AdminState;
        if (old == state)
        {
            return false;
        }

        server.AdminState = state;
        if (_monitorByServer.GetValueOrDefault(server) is { } monitor)
        {
            if (state == ServerAdminState.Maint)
            {
                monitor.Pause();
            }
            else if (old == ServerAdminState.Maint)
            {
                monitor.Resume();
            }
        }

        L4ProxyLog.ServerAdminStateChanged(_logger, server.ToString(), old, state, server.Counters.Active, server.Backend.UsableServers(), server.Backend.Name);
        return true;
    }
}
