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
    private ProxyHandover? _inherited;

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
            servers = [.. _backends.Values.SelectMany(b => b.Servers).Where(s => s.Checked).Select(s => new ServerHandover(s.Backend.Name, s.Name, s.CheckUp))];
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

        using var now = new CancellationTokenSource();
        await now.CancelAsync().ConfigureAwait(false);
        await StopAsync(now.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Adopts the sessions of the hand-over given to <see cref="StartAsync(ProxyOptions, ProxyHandover?, CancellationToken)"/>
    /// and starts accepting. A session whose frontend, backend or server this configuration does not have, or whose
    /// descriptors are not what the record says, is closed and counted by reason: never adopted half-way.
    /// </summary>
    public AdoptionResult CompleteAdoption()
    {
        var inherited = Interlocked.Exchange(ref _inherited, null) ?? throw new InvalidOperationException("Nothing was inherited.");
        var context = _context!;
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        var adopted = 0;
        var loops = context.Loops.Loops;
        Dictionary<string, ProxyFrontend> frontends;
        Dictionary<string, ProxyBackend> backends;
        lock (_stateLock)
        {
            frontends = _frontends;
            backends = _backends;
        }

        foreach (var record in inherited.Sessions)
        {
            var reason = Check(record, inherited.Descriptors, frontends, backends, out var frontend, out var backend, out var server);
            if (reason is not null)
            {
                refused[reason] = refused.GetValueOrDefault(reason) + 1;
                CloseDescriptors(record, inherited.Descriptors);
                continue;
            }

            frontend!.Limiter.Acquire();
            context.GlobalLimiter.Acquire();
            var loop = loops[adopted % loops.Count];
            var connection = new ProxyConnection(context, frontend, backend!, loop, record, server, inherited.Descriptors);
            loop.Post(new AdoptWork(connection));
            adopted++;
        }

        StartListening(frontends.Values);
        L4ProxyLog.SessionsAdopted(_logger, adopted, refused.Values.Sum());
        return new AdoptionResult(adopted, refused);
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
