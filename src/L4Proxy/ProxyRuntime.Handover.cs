using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Seamless upgrade (docs/design/upgrade.md): the running process freezes and describes its listeners and sessions,
/// the next process adopts the same descriptors, and only then does the first one let go; if the next one fails, the
/// first thaws and carries on as if nothing happened.
/// </summary>
public sealed partial class ProxyRuntime
{
    private bool _awaitingHandover;
    private List<ProxyConnection>? _adopted;

    /// <summary>
    /// Stops accepting and freezes every session (its bytes wait in the kernel), then describes listeners, sessions
    /// and server health with the descriptors they use. Undo with <see cref="ThawAsync"/>; finish with
    /// <see cref="AbandonAsync"/> once the next process has adopted them.
    /// </summary>
    public async Task<ProxyHandover> FreezeAsync()
    {
        var context = _context ?? throw new InvalidOperationException("The proxy is not running.");
        ProxyFrontend[] frontends;
        lock (_stateLock)
        {
            frontends = [.. _frontends.Values];
        }

        // Listeners first, so no session starts behind the snapshot.
        foreach (var frontend in frontends)
        {
            frontend.Listener.Hold();
        }

        var fds = new DescriptorTable();
        var listeners = frontends.Select(f => new ListenerHandover(f.Name, fds.Add(f.Listener.Fd))).ToList();
        var sessions = new List<SessionHandover>();
        var gate = new Lock();
        await context.ForEachSessionAsync(connection =>
        {
            if (connection.Freeze(fds) is { } record)
            {
                lock (gate)
                {
                    sessions.Add(record);
                }
            }
        }).ConfigureAwait(false);

        List<ServerHandover> servers;
        lock (_stateLock)
        {
            servers = [.. _backends.Values.SelectMany(b => b.Servers).Where(s => s.Checked || s.AdminState != ServerAdminState.Ready)
                .Select(s => new ServerHandover(s.Backend.Name, s.Name, s.CheckUp, s.AdminState))];
        }

        L4ProxyLog.SessionsFrozen(_logger, sessions.Count, listeners.Count);
        return new ProxyHandover(listeners, sessions, servers, fds.ToArray());
    }

    /// <summary>Undoes <see cref="FreezeAsync"/>: sessions move bytes again and listeners accept.</summary>
    public async Task ThawAsync()
    {
        var context = _context ?? throw new InvalidOperationException("The proxy is not running.");
        await context.ForEachSessionAsync(static connection => connection.Thaw()).ConfigureAwait(false);
        lock (_stateLock)
        {
            foreach (var frontend in _frontends.Values)
            {
                frontend.Listener.Unhold();
            }
        }

        L4ProxyLog.SessionsThawed(_logger, context.ActiveSessions);
    }

    /// <summary>
    /// After the next process adopted what <see cref="FreezeAsync"/> described: closes this process's copies (the
    /// peers see nothing, the other process still holds every descriptor) and stops without a grace period.
    /// </summary>
    public async Task AbandonAsync()
    {
        if (_context is { } context)
        {
            await context.ForEachSessionAsync(static connection => connection.Forget()).ConfigureAwait(false);
        }

        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
    }

    /// <summary>
    /// In a process started with <see cref="StartForTakeoverAsync"/>: takes over the listeners of
    /// <paramref name="inherited"/> (a frontend whose address changed binds anew), starts servers with the old
    /// process's check verdicts, and builds its sessions without starting them; <see cref="CompleteAdoption"/> does.
    /// A session whose frontend, backend or server this configuration does not have, or whose descriptors are not
    /// what the record says, is closed and counted by reason: never adopted half-way.
    /// </summary>
    public async Task<AdoptionResult> AdoptAsync(ProxyHandover inherited)
    {
        ArgumentNullException.ThrowIfNull(inherited);
        var context = _context ?? throw new InvalidOperationException("The proxy is not running.");
        if (!_awaitingHandover || _adopted is not null)
        {
            throw new InvalidOperationException("The proxy was not started to take over, or has taken over already.");
        }

        var listeners = InheritedListeners(inherited);
        var bound = await BindAsync(_options!.Frontends, _backends, context, listeners).ConfigureAwait(false);
        CloseUnclaimed(listeners);
        var frontends = bound.ToDictionary(f => f.Name, StringComparer.Ordinal);
        lock (_stateLock)
        {
            _frontends = frontends;
            ApplyVerdicts(inherited.Servers);
        }

        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        var adopted = new List<ProxyConnection>(inherited.Sessions.Count);
        var loops = context.Loops.Loops;
        foreach (var record in inherited.Sessions)
        {
            var reason = Check(record, inherited.Descriptors, frontends, _backends, out var frontend, out var backend, out var server);
            if (reason is not null)
            {
                refused[reason] = refused.GetValueOrDefault(reason) + 1;
                if (record.PreservedSlot >= 0)
                {
                    context.Preservation?.Release(record.PreservedSlot);
                }

                CloseDescriptors(record, inherited.Descriptors);
                continue;
            }

            adopted.Add(new ProxyConnection(context, frontend!, backend!, loops[adopted.Count % loops.Count], record, server, inherited.Descriptors));
        }

        _adopted = adopted;
        return new AdoptionResult(adopted.Count, refused);
    }

    /// <summary>Once the old process let go: the adopted sessions move bytes again and the frontends accept.</summary>
    public void CompleteAdoption()
    {
        var adopted = Interlocked.Exchange(ref _adopted, []) ?? throw new InvalidOperationException("Nothing was adopted.");
        var context = _context!;
        foreach (var connection in adopted)
        {
            connection.Frontend.Limiter.Acquire();
            context.GlobalLimiter.Acquire();
            connection.Frontend.Counters.Resumed();
            connection.Loop.Post(new AdoptWork(connection));
        }

        _awaitingHandover = false;
        lock (_stateLock)
        {
            StartListening(_frontends.Values);
        }

        L4ProxyLog.SessionsAdopted(_logger, adopted.Count);
    }

    /// <summary>The old process's check verdicts and admin states; under the state lock.</summary>
    private void ApplyVerdicts(IReadOnlyList<ServerHandover> verdicts)
    {
        var touched = new HashSet<ProxyBackend>();
        foreach (var verdict in verdicts)
        {
            if (_backends.TryGetValue(verdict.Backend, out var backend) && Array.Find(backend.Servers, s => s.Name == verdict.Server) is { } server)
            {
                if (server.Checked)
                {
                    _ = server.SetCheckUp(verdict.CheckUp);
                    server.EffectiveUp = server.HealthUp;
                }

                _ = SetAdminStateLocked(server, verdict.AdminState);
                touched.Add(backend);
            }
        }

        foreach (var backend in touched)
        {
            backend.Balancer.Rebuild();
        }
    }

    private static string? Check(
        SessionHandover record, IReadOnlyList<int> fds, Dictionary<string, ProxyFrontend> frontends, Dictionary<string, ProxyBackend> backends,
        out ProxyFrontend? frontend, out ProxyBackend? backend, out ProxyServer? server)
    {
        server = null;
        backend = null;
        if (!frontends.TryGetValue(record.Frontend, out frontend))
        {
            return "unknown-frontend";
        }

        if (!backends.TryGetValue(record.Backend, out backend))
        {
            return "unknown-backend";
        }

        if (!IsIndex(record.ClientFd, fds) || !NativeSocket.IsTcpSocket(fds[record.ClientFd], listening: false))
        {
            return "bad-descriptor";
        }

        if (!record.Established)
        {
            return null;
        }

        server = Array.Find(backend.Servers, s => s.Name == record.Server);
        if (server is null)
        {
            return "unknown-server";
        }

        if (!IsIndex(record.ServerFd, fds) || !NativeSocket.IsTcpSocket(fds[record.ServerFd], listening: false)
            || !IsPipeOrNone(record.ToServer, fds) || !IsPipeOrNone(record.ToClient, fds))
        {
            return "bad-descriptor";
        }

        return null;
    }

    private static bool IsIndex(int index, IReadOnlyList<int> fds) => (uint)index < (uint)fds.Count && fds[index] >= 0;

    private static bool IsPipeOrNone(DirectionHandover direction, IReadOnlyList<int> fds) =>
        direction.PipeRead < 0
        || (IsIndex(direction.PipeRead, fds) && IsIndex(direction.PipeWrite, fds) && NativeSocket.IsPipe(fds[direction.PipeRead])
            && NativeSocket.IsPipe(fds[direction.PipeWrite]) && direction.Pending is > 0 and <= SplicePipePool.PipeSize);

    private static void CloseDescriptors(SessionHandover record, IReadOnlyList<int> fds)
    {
        foreach (var index in new[] { record.ClientFd, record.ServerFd, record.ToServer.PipeRead, record.ToServer.PipeWrite, record.ToClient.PipeRead, record.ToClient.PipeWrite })
        {
            if (IsIndex(index, fds))
            {
                NativeSocket.Close(fds[index]);
            }
        }
    }

    /// <summary>Listener descriptors of a hand-over by frontend name; <see cref="BindOrAdopt"/> takes them out.</summary>
    private static Dictionary<string, int>? InheritedListeners(ProxyHandover? inherited) =>
        inherited?.Listeners.Where(l => IsIndex(l.Fd, inherited.Descriptors)).ToDictionary(l => l.Frontend, l => inherited.Descriptors[l.Fd], StringComparer.Ordinal);

    /// <summary>
    /// The frontend on the inherited listener when there is one for it on the same address; a listener on another
    /// address (the configuration moved the frontend) is closed and a new one bound.
    /// </summary>
    private ProxyFrontend BindOrAdopt(FrontendOptions options, ProxyBackend backend, ProxyContext context, Dictionary<string, int>? inherited)
    {
        if (inherited is not null && inherited.Remove(options.Name, out var fd))
        {
            try
            {
                return new ProxyFrontend(options, backend, context, fd);
            }
            catch (InvalidOperationException ex)
            {
                L4ProxyLog.InheritedListenerRefused(_logger, options.Name, ex.Message);
            }
        }

        return new ProxyFrontend(options, backend, context);
    }

    /// <summary>Closes inherited listeners no frontend of this configuration took.</summary>
    private static void CloseUnclaimed(Dictionary<string, int>? inherited)
    {
        if (inherited is null)
        {
            return;
        }

        foreach (var fd in inherited.Values)
        {
            NativeSocket.Close(fd);
        }
    }

    private sealed class AdoptWork(ProxyConnection connection) : IEpollWork
    {
        public void Execute() => connection.StartAdopted();
    }
}
