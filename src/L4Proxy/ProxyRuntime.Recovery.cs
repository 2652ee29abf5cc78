using CloudCoreLb.L4Proxy.Forwarding.Native;
using CloudCoreLb.L4Proxy.Handover;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Crash recovery (docs/design/upgrade.md, "Crash recovery"): a process restarted after a crash gets back from the
/// descriptor store the listeners and the sessions the crashed one stored, and adopts them through the same path
/// as an upgrade. What a record cannot say after a crash is read from the kernel: the frontend from the client
/// socket's local address, the server from the other socket's peer.
/// </summary>
public sealed partial class ProxyRuntime
{
    /// <summary>
    /// In a process started with <see cref="StartForTakeoverAsync"/> and a <see cref="Preservation"/> over the crashed
    /// process's journal: adopts <paramref name="stored"/> (everything the store gave back except the journal itself).
    /// A session whose slot says bytes were in flight, or that matches no frontend and server of this configuration,
    /// is reset and leaves the store; so does anything else the store held that this build does not recognise.
    /// <see cref="CompleteAdoption"/> then starts what was adopted.
    /// </summary>
    public async Task<AdoptionResult> RecoverAsync(IReadOnlyList<StoredDescriptor> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var preservation = Preservation ?? throw new InvalidOperationException("Recovery needs the journal: set Preservation before starting.");
        var options = _options ?? throw new InvalidOperationException("The proxy is not running.");
        var descriptors = new List<int>();
        var listeners = new List<ListenerHandover>();
        var sessions = new List<SessionHandover>();
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        var claimed = new HashSet<int>();
        var now = _time.GetTimestamp();
        // Where each stored listener listens: a client socket accepted by it has the same local port.
        var listening = stored.Where(d => d.Name.StartsWith("l.", StringComparison.Ordinal) && NativeSocket.IsTcpSocket(d.Fd, listening: true))
            .Select(d => (Frontend: d.Name[2..], EndPoint: NativeSocket.LocalOf(d.Fd).ToEndPoint())).ToArray();
        foreach (var group in stored.GroupBy(d => d.Name, StringComparer.Ordinal))
        {
            var fds = group.Select(d => d.Fd).ToArray();
            var reason = group.Key.StartsWith("l.", StringComparison.Ordinal)
                ? RecoverListener(group.Key[2..], fds, options, descriptors, listeners)
                : SessionPreservation.TryParseSessionName(group.Key, out var slot, out var sequence)
                    ? RecoverSession(slot, sequence, group.Key, fds, preservation, descriptors, sessions, claimed, now, listening)
                    : "unknown-name";
            if (reason is null)
            {
                continue;
            }

            refused[reason] = refused.GetValueOrDefault(reason) + 1;
            preservation.Store.Remove(group.Key);
            foreach (var fd in fds)
            {
                NativeSocket.ResetOnClose(fd);
                NativeSocket.Close(fd);
            }
        }

        preservation.ReleaseUnclaimed(claimed);
        var result = await AdoptAsync(new ProxyHandover(listeners, sessions, [], descriptors)).ConfigureAwait(false);
        foreach (var (reason, count) in result.Refused)
        {
            refused[reason] = refused.GetValueOrDefault(reason) + count;
        }

        return new AdoptionResult(result.Adopted, refused);
    }

    /// <summary>
    /// An upgrade commits: every stored session and listener leaves the store while this process may still say so,
    /// and nothing more is stored; the successor stores its own.
    /// </summary>
    public void DetachPreservation()
    {
        if (Preservation is not { } preservation)
        {
            return;
        }

        preservation.Detach();
        lock (_stateLock)
        {
            foreach (var name in _frontends.Keys)
            {
                preservation.Store.Remove(SessionPreservation.ListenerName(name));
            }
        }
    }

    private static string? RecoverListener(string frontend, int[] fds, Options.ProxyOptions options, List<int> descriptors, List<ListenerHandover> listeners)
    {
        if (fds.Length != 1 || !options.Frontends.Any(f => f.Name == frontend))
        {
            return "unknown-listener";
        }

        listeners.Add(new ListenerHandover(frontend, descriptors.Count));
        descriptors.Add(fds[0]);
        return null;
    }

    private string? RecoverSession(
        int slot, uint sequence, string name, int[] fds, SessionPreservation preservation, List<int> descriptors, List<SessionHandover> sessions, HashSet<int> claimed, long now,
        (string Frontend, System.Net.IPEndPoint EndPoint)[] listening)
    {
        if (fds.Length != 2 || !fds.All(fd => NativeSocket.IsTcpSocket(fd, listening: false)))
        {
            return "bad-descriptor";
        }

        if (!preservation.Knows(slot, sequence) || claimed.Contains(slot))
        {
            // Stored, but the journal has no such session (it was closing at the crash, or the name is not ours).
            return "unknown-session";
        }

        if (!preservation.IsSettled(slot) || !claimed.Add(slot))
        {
            // Bytes were in user space or a pipe at the crash (or a side had half-closed): resuming would skip them.
            return "in-flight";
        }

        // The store gives no order within a name: the client socket is the one on a frontend's port.
        var (client, server) = FrontendOf(fds[0], listening) is not null ? (fds[0], fds[1]) : (fds[1], fds[0]);
        if (FrontendOf(client, listening) is not { } frontend)
        {
            claimed.Remove(slot);
            return "unknown-frontend";
        }

        var peer = NativeSocket.PeerOf(server).ToEndPoint();
        var target = frontend.Backend.Servers.FirstOrDefault(s => s.EndPoint.Equals(peer));
        if (target is null)
        {
            claimed.Remove(slot);
            return "unknown-server";
        }

        preservation.Claim(slot, name);
        var idle = new DirectionHandover(false, false, 0, -1, -1, null);
        sessions.Add(new SessionHandover(
            frontend.Name, frontend.Backend.Name, target.Name, descriptors.Count, descriptors.Count + 1, true, now, now, now, 0, 0, idle, idle, slot));
        descriptors.Add(client);
        descriptors.Add(server);
        return null;
    }

    /// <summary>
    /// The configured frontend that accepted <paramref name="fd"/>, by its local address: the stored listener on that
    /// address, else the frontend configured to bind it.
    /// </summary>
    private (string Name, ProxyBackend Backend)? FrontendOf(int fd, (string Frontend, System.Net.IPEndPoint EndPoint)[] listening)
    {
        var local = NativeSocket.LocalOf(fd).ToEndPoint();
        lock (_stateLock)
        {
            foreach (var frontend in _options!.Frontends)
            {
                var bind = frontend.Bind!;
                var accepted = listening.Any(l => l.Frontend == frontend.Name && Accepts(l.EndPoint, local)) || Accepts(bind, local);
                if (accepted && _backends.TryGetValue(frontend.Backend, out var backend))
                {
                    return (frontend.Name, backend);
                }
            }
        }

        return null;
    }

    private static bool Accepts(System.Net.IPEndPoint listener, System.Net.IPEndPoint local) =>
        listener.Port == local.Port && (listener.Address.Equals(local.Address) || IsAny(listener.Address));

    private static bool IsAny(System.Net.IPAddress address) =>
        address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any);
}
