using System.Net;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.Host.Status;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace CloudCoreLb.Host.Metrics;

/// <summary>
/// Prometheus endpoint, and the status page beside it (<see cref="MonitoringListener"/>, no ASP.NET Core). Values are read from the components'
/// own lock-free counters at scrape time, so the hot paths never touch a metrics library. Names follow Prometheus
/// conventions: <c>cloudcore_lb_</c> prefix, <c>_total</c> counters, base units.
/// </summary>
internal sealed class MetricsExporter(
    ConfigState config, VrrpService vrrp, ProxyService proxy, ProcessLineage lineage, CrashRecovery recovery, StatusProvider status, CounterCarry carry, TimeProvider time,
    ILogger<MetricsExporter> logger) : IHostedService, IDisposable
{
    private static readonly VrrpState[] States = Enum.GetValues<VrrpState>();
    private static readonly VrrpDropReason[] DropReasons = Enum.GetValues<VrrpDropReason>().Where(r => r != VrrpDropReason.None).ToArray();
    private static readonly CloseReason[] CloseReasons = Enum.GetValues<CloseReason>().Where(r => r != CloseReason.None).ToArray();
    // A scrape and an upgrade's snapshot may collect at once; each must see one consistent pass.
    private readonly Lock _collecting = new();
    private MonitoringListener? _server;
    private Task _starting = Task.CompletedTask;

    /// <summary>The registry scraped at <c>/metrics</c>; tests read it directly.</summary>
    public CollectorRegistry Registry { get; } = CreateRegistry();

    private static CollectorRegistry CreateRegistry()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        // process_* (CPU, RSS, open fds, start time) and dotnet_* (GC, threads) from prometheus-net itself.
        DotNetStats.Register(registry);
        return registry;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        var m = new Instruments(f, carry);
        m.BuildInfo.WithLabels(Cli.BuildInfo.Version).Set(1);
        Registry.AddBeforeCollectCallback(() => Collect(m));
        carry.SetSource(() =>
        {
            Collect(m);
            return m.Snapshot();
        });
        if (config.Current.Metrics.Listen is { } listen)
        {
            if (lineage.IsTakeover)
            {
                // The old process holds the port until it leaves, right after it lets go.
                _starting = ListenWhenFreeAsync(listen);
            }
            else
            {
                Listen(listen, logFailure: true);
            }
        }

        return Task.CompletedTask;
    }

    private bool Listen(IPEndPoint listen, bool logFailure)
    {
        try
        {
            _server = MonitoringListener.Start(listen, new MonitoringHandler(Registry, status.Get), logger);
            MetricsLog.Listening(logger, listen.ToString());
            return true;
        }
        catch (Exception ex) when (ex is HttpListenerException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // Metrics are an aid; a port clash must not take the VIP down with it.
            if (logFailure)
            {
                MetricsLog.ListenFailed(logger, listen.ToString(), ex);
            }

            return false;
        }
    }

    /// <summary>Binds once the old process has let go of the port (its exit is the event; bounded by its stop timeout).</summary>
    private async Task ListenWhenFreeAsync(IPEndPoint listen)
    {
        await lineage.Committed.ConfigureAwait(false);
        // Monotonic: a wall-clock step during an upgrade must neither end the wait at once nor stretch it by the step.
        var waiting = time.GetTimestamp();
        while (true)
        {
            // Only the last attempt's failure is worth a log line: until then the port is the old process's.
            var last = time.GetElapsedTime(waiting) >= TimeSpan.FromSeconds(15);
            if (Listen(listen, logFailure: last) || last)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    private void Collect(Instruments m)
    {
        lock (_collecting)
        {
            CollectLocked(m);
        }
    }

    private void CollectLocked(Instruments m)
    {
        var instances = new HashSet<string>(StringComparer.Ordinal);
        var trackedChecks = new HashSet<(string, string)>();
        foreach (var i in vrrp.Instances)
        {
            var name = i.Config.Options.Name;
            instances.Add(name);
            var snapshot = i.Handle.Snapshot();
            foreach (var s in States)
            {
                m.VrrpState.WithLabels(name, s.ToString().ToLowerInvariant()).Set(snapshot.State == s ? 1 : 0);
            }

            m.EffectivePriority.WithLabels(name).Set(snapshot.EffectivePriority);
            m.ConfiguredPriority.WithLabels(name).Set(i.Config.Options.Priority);
            m.ConfigurationFault.WithLabels(name).Set(snapshot.ConfigurationFault is null ? 0 : 1);
            m.Held.WithLabels(name).Set(snapshot.Held ? 1 : 0);
            var c = snapshot.Counters;
            m.Count(m.AdvertsSent, c.AdvertsSent, name);
            m.Count(m.AdvertsReceived, c.AdvertsReceived, name);
            m.Count(m.PriorityZeroSent, c.PriorityZeroSent, name);
            m.Count(m.PriorityZeroReceived, c.PriorityZeroReceived, name);
            m.Count(m.MasterDownExpiries, c.MasterDownExpiries, name);
            m.Count(m.GarpSent, c.GarpSent, name);
            m.Count(m.UnknownVrid, c.UnknownVirtualRouterId, name);
            foreach (var reason in DropReasons)
            {
                m.Count(m.Drops, c.Drops.GetValueOrDefault(reason), name, reason.ToString());
            }

            foreach (var ((from, to), count) in c.Transitions)
            {
                m.Count(m.Transitions, count, name, from.ToString().ToLowerInvariant(), to.ToString().ToLowerInvariant());
            }

            foreach (var t in snapshot.Tracking)
            {
                m.TrackedCheckUp.WithLabels(name, t.Name).Set(t.State == HealthCheck.Tracking.TrackedCheckState.Up ? 1 : 0);
                trackedChecks.Add((name, t.Name));
            }

            foreach (var (tracked, up) in snapshot.TrackedInterfaces)
            {
                m.TrackedInterfaceUp.WithLabels(name, tracked.Name).Set(up ? 1 : 0);
            }
        }

        foreach (var group in vrrp.SyncGroups)
        {
            var state = group.State;
            foreach (var s in States)
            {
                m.SyncGroupState.WithLabels(group.Name, s.ToString().ToLowerInvariant()).Set(state == s ? 1 : 0);
            }
        }

        var running = proxy.Runtime.IsRunning;
        var frontends = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fe in running ? proxy.Runtime.GetFrontendStatus() : [])
        {
            frontends.Add(fe.Frontend);
            var c = fe.Counters;
            m.FrontendActive.WithLabels(fe.Frontend).Set(c.Active);
            m.Count(m.FrontendConnections, c.Total, fe.Frontend);
            m.Count(m.FrontendBytesIn, c.BytesIn, fe.Frontend);
            m.Count(m.FrontendBytesOut, c.BytesOut, fe.Frontend);
            m.Count(m.FrontendLimitPauses, c.LimitPauses, fe.Frontend);
            m.Count(m.FrontendDescriptorPauses, c.DescriptorPauses, fe.Frontend);
            foreach (var reason in CloseReasons)
            {
                m.Count(m.FrontendClosed, c.Closed(reason), fe.Frontend, reason.ToString());
            }
        }

        // UDP frontends are in the frontend series above too (a flow counts as a connection); these add what only
        // datagrams have.
        foreach (var u in running ? proxy.Runtime.GetUdpFrontendStatus() : [])
        {
            var d = u.Datagrams;
            m.Count(m.UdpDatagrams, d.DatagramsIn, u.Frontend, "in");
            m.Count(m.UdpDatagrams, d.DatagramsOut, u.Frontend, "out");
            m.Count(m.UdpRedispatches, d.Redispatches, u.Frontend);
            foreach (var reason in L4Proxy.Counters.UdpCounters.DropReasons)
            {
                m.Count(m.UdpDropped, d.Dropped(reason), u.Frontend, UdpDropLabel(reason));
            }
        }

        var servers = new HashSet<(string, string)>();
        foreach (var s in running ? proxy.Runtime.GetServerStatus() : [])
        {
            servers.Add((s.Backend, s.Server));
            var c = s.Counters;
            string[] l = [s.Backend, s.Server];
            if (s.LastCheckDuration is { } checkDuration)
            {
                m.ServerCheckDuration.WithLabels(l).Set(checkDuration.TotalSeconds);
            }

            m.ServerUp.WithLabels(l).Set(s.Usable ? 1 : 0);
            foreach (var state in Enum.GetValues<L4Proxy.ServerAdminState>())
            {
                m.ServerAdminState.WithLabels(s.Backend, s.Server, state.ToString().ToLowerInvariant()).Set(s.AdminState == state ? 1 : 0);
            }

            m.ServerActive.WithLabels(l).Set(c.Active);
            m.Count(m.ServerConnections, c.Total, l);
            m.Count(m.ServerBytesIn, c.BytesIn, l);
            m.Count(m.ServerBytesOut, c.BytesOut, l);
            m.Count(m.ServerConnectErrors, c.ConnectRefused, s.Backend, s.Server, "refused");
            m.Count(m.ServerConnectErrors, c.ConnectTimeouts, s.Backend, s.Server, "timeout");
            m.Count(m.ServerConnectErrors, c.ConnectOtherErrors, s.Backend, s.Server, "other");
            m.Count(m.ServerRetries, c.Retries, l);
            m.Count(m.ServerRedispatches, c.Redispatches, l);
            m.Count(m.ServerTransitions, c.UpTransitions, s.Backend, s.Server, "up");
            m.Count(m.ServerTransitions, c.DownTransitions, s.Backend, s.Server, "down");
            m.Count(m.ServerCheckFailures, c.CheckFailures, l);
        }

        var h = lineage.Counters;
        m.Generation.Set(lineage.Generation);
        m.Upgrades.IncTo(h.Upgrades);
        m.FailedUpgrades.IncTo(h.FailedUpgrades);
        m.SessionsHandedOver.IncTo(h.SessionsHandedOver);
        m.SessionsAdopted.IncTo(h.SessionsAdopted);
        foreach (var (reason, count) in h.SessionsRefused)
        {
            m.Count(m.SessionsRefused, count, reason);
        }

        m.SessionsStored.Set(recovery.Preservation?.Preserved ?? 0);
        m.Count(m.SessionsRecovered, h.SessionsRecovered);
        foreach (var (reason, count) in h.RecoveryRefused)
        {
            m.Count(m.RecoveryRefused, count, reason);
        }

        // A series the previous process had and this one has not counted yet (a transition, a refusal reason) stays.
        m.ExposeCarried();

        // A reload can remove instances, frontends and servers: their series go with them instead of staying frozen
        // on dashboards until the next restart.
        m.Prune(instances, trackedChecks, frontends, servers);
    }

    /// <summary>The reason label as the docs write it: <c>table_full</c>, <c>source_limit</c>, ...</summary>
    internal static string UdpDropLabel(L4Proxy.Counters.UdpDrop reason) => reason switch
    {
        L4Proxy.Counters.UdpDrop.TableFull => "table_full",
        L4Proxy.Counters.UdpDrop.SourceLimit => "source_limit",
        L4Proxy.Counters.UdpDrop.NoServer => "no_server",
        L4Proxy.Counters.UdpDrop.SendError => "send_error",
        L4Proxy.Counters.UdpDrop.Oversize => "oversize",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static void Prune<TChild>(Collector<TChild> collector, Func<string[], bool> alive)
        where TChild : ChildBase
    {
        foreach (var labels in collector.GetAllLabelValues().ToArray())
        {
            if (!alive(labels))
            {
                collector.RemoveLabelled(labels);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        // Disposed both as a singleton and through the hosted-service factory.
        Interlocked.Exchange(ref _server, null)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every instrument, created once.</summary>
    private sealed class Instruments(IMetricFactory f, CounterCarry carry)
    {
        public readonly Gauge BuildInfo = f.CreateGauge("cloudcore_lb_build_info", "1, labelled with the version of the binary this process runs.", ["version"]);
        public readonly Gauge VrrpState = f.CreateGauge("cloudcore_lb_vrrp_state", "1 for the VRRP state the instance is in, 0 for the others.", ["instance", "state"]);
        public readonly Gauge EffectivePriority = f.CreateGauge("cloudcore_lb_vrrp_effective_priority", "Priority advertised now: configured priority adjusted by tracking.", ["instance"]);
        public readonly Gauge ConfiguredPriority = f.CreateGauge("cloudcore_lb_vrrp_priority", "Configured priority.", ["instance"]);
        public readonly Gauge ConfigurationFault = f.CreateGauge("cloudcore_lb_vrrp_configuration_fault", "1 while a peer's adverts are dropped for a configuration mismatch (interval, auth, VIPs).", ["instance"]);
        public readonly Gauge Held = f.CreateGauge("cloudcore_lb_vrrp_held", "1 while an operator holds the instance at priority 1 (vrrp hold or handover, until vrrp release).", ["instance"]);
        public readonly Counter AdvertsSent = f.CreateCounter("cloudcore_lb_vrrp_adverts_sent_total", "VRRP adverts sent.", ["instance"]);
        public readonly Counter AdvertsReceived = f.CreateCounter("cloudcore_lb_vrrp_adverts_received_total", "Valid VRRP adverts received.", ["instance"]);
        public readonly Counter PriorityZeroSent = f.CreateCounter("cloudcore_lb_vrrp_priority_zero_sent_total", "Priority-0 (release) adverts sent.", ["instance"]);
        public readonly Counter PriorityZeroReceived = f.CreateCounter("cloudcore_lb_vrrp_priority_zero_received_total", "Priority-0 (release) adverts received.", ["instance"]);
        public readonly Counter MasterDownExpiries = f.CreateCounter("cloudcore_lb_vrrp_master_down_expiries_total", "Master-down timer expiries.", ["instance"]);
        public readonly Counter GarpSent = f.CreateCounter("cloudcore_lb_vrrp_garp_sent_total", "Gratuitous ARPs sent.", ["instance"]);
        public readonly Counter UnknownVrid = f.CreateCounter("cloudcore_lb_vrrp_unknown_vrid_total", "Adverts for other virtual router ids seen on the segment.", ["instance"]);
        public readonly Counter Drops = f.CreateCounter("cloudcore_lb_vrrp_drops_total", "Received VRRP datagrams dropped, by reason.", ["instance", "reason"]);
        public readonly Counter Transitions = f.CreateCounter("cloudcore_lb_vrrp_transitions_total", "VRRP state transitions.", ["instance", "from", "to"]);
        public readonly Gauge TrackedCheckUp = f.CreateGauge("cloudcore_lb_vrrp_tracked_check_up", "1 while a tracked check passes.", ["instance", "check"]);
        public readonly Gauge TrackedInterfaceUp = f.CreateGauge("cloudcore_lb_vrrp_tracked_interface_up", "1 while a tracked interface (track_interfaces) is up.", ["instance", "interface"]);
        public readonly Gauge SyncGroupState = f.CreateGauge("cloudcore_lb_vrrp_sync_group_state", "1 for the state the sync group is in (fault while any member is, master when all are), 0 for the others.", ["group", "state"]);
        public readonly Gauge FrontendActive = f.CreateGauge("cloudcore_lb_frontend_active_connections", "Client connections open now.", ["frontend"]);
        public readonly Counter FrontendConnections = f.CreateCounter("cloudcore_lb_frontend_connections_total", "Client connections accepted.", ["frontend"]);
        public readonly Counter FrontendBytesIn = f.CreateCounter("cloudcore_lb_frontend_received_bytes_total", "Bytes received from clients.", ["frontend"]);
        public readonly Counter FrontendBytesOut = f.CreateCounter("cloudcore_lb_frontend_sent_bytes_total", "Bytes sent to clients.", ["frontend"]);
        public readonly Counter FrontendLimitPauses = f.CreateCounter("cloudcore_lb_frontend_limit_pauses_total", "Times accepting paused at max_connections.", ["frontend"]);
        public readonly Counter FrontendDescriptorPauses = f.CreateCounter("cloudcore_lb_frontend_descriptor_pauses_total", "Times accepting paused because the process had no file descriptor left (EMFILE/ENFILE), once per episode.", ["frontend"]);
        public readonly Counter FrontendClosed = f.CreateCounter("cloudcore_lb_frontend_closed_connections_total", "Connections ended, by close reason.", ["frontend", "reason"]);
        public readonly Counter UdpDatagrams = f.CreateCounter("cloudcore_lb_udp_datagrams_total", "Datagrams a UDP frontend forwarded, by direction (in: from clients, out: to clients).", ["frontend", "direction"]);
        public readonly Counter UdpDropped = f.CreateCounter("cloudcore_lb_udp_dropped_datagrams_total", "Datagrams a UDP frontend dropped, by reason (table_full, source_limit, no_server, send_error, oversize).", ["frontend", "reason"]);
        public readonly Counter UdpRedispatches = f.CreateCounter("cloudcore_lb_udp_redispatches_total", "UDP flows moved to another server (their server went down or answered ICMP port unreachable).", ["frontend"]);
        public readonly Gauge ServerUp = f.CreateGauge("cloudcore_lb_server_up", "1 while the server takes new connections.", ["backend", "server"]);
        public readonly Gauge ServerAdminState = f.CreateGauge("cloudcore_lb_server_admin_state", "1 for the operator's state of the server (ready, drain, maint), 0 for the others.", ["backend", "server", "state"]);
        public readonly Gauge ServerActive = f.CreateGauge("cloudcore_lb_server_active_connections", "Connections open to the server now.", ["backend", "server"]);
        public readonly Counter ServerConnections = f.CreateCounter("cloudcore_lb_server_connections_total", "Connections established to the server.", ["backend", "server"]);
        public readonly Counter ServerBytesIn = f.CreateCounter("cloudcore_lb_server_received_bytes_total", "Bytes received from the server.", ["backend", "server"]);
        public readonly Counter ServerBytesOut = f.CreateCounter("cloudcore_lb_server_sent_bytes_total", "Bytes sent to the server.", ["backend", "server"]);
        public readonly Counter ServerConnectErrors = f.CreateCounter("cloudcore_lb_server_connect_errors_total", "Failed connect attempts, by reason.", ["backend", "server", "reason"]);
        public readonly Counter ServerRetries = f.CreateCounter("cloudcore_lb_server_retries_total", "Connect attempts retried.", ["backend", "server"]);
        public readonly Counter ServerRedispatches = f.CreateCounter("cloudcore_lb_server_redispatches_total", "Connections redispatched away from the server.", ["backend", "server"]);
        public readonly Counter ServerTransitions = f.CreateCounter("cloudcore_lb_server_transitions_total", "Server health transitions.", ["backend", "server", "to"]);
        public readonly Counter ServerCheckFailures = f.CreateCounter("cloudcore_lb_server_check_failures_total", "Failed active health checks.", ["backend", "server"]);
        public readonly Gauge Generation = f.CreateGauge("cloudcore_lb_process_generation", "Processes that served before this one plus one: each upgrade adds one.");
        public readonly Counter Upgrades = f.CreateCounter("cloudcore_lb_upgrades_total", "Seamless upgrades completed (carried across upgrades).");
        public readonly Counter FailedUpgrades = f.CreateCounter("cloudcore_lb_upgrades_failed_total", "Upgrades refused or failed; the old process went on.");
        public readonly Counter SessionsHandedOver = f.CreateCounter("cloudcore_lb_sessions_handed_over_total", "Sessions handed to a new process by upgrades.");
        public readonly Counter SessionsAdopted = f.CreateCounter("cloudcore_lb_sessions_adopted_total", "Sessions adopted from a previous process.");
        public readonly Counter SessionsRefused = f.CreateCounter("cloudcore_lb_sessions_adoption_refused_total", "Handed-over sessions closed instead of adopted, by reason.", ["reason"]);
        public readonly Gauge SessionsStored = f.CreateGauge("cloudcore_lb_sessions_stored", "Sessions kept in systemd's descriptor store for crash recovery now.");
        public readonly Counter SessionsRecovered = f.CreateCounter("cloudcore_lb_sessions_recovered_total", "Sessions this process took back from the descriptor store after a crash.");
        public readonly Counter RecoveryRefused = f.CreateCounter("cloudcore_lb_sessions_recovery_refused_total", "Stored sessions reset instead of resumed after a crash, by reason.", ["reason"]);
        public readonly Gauge ServerCheckDuration = f.CreateGauge("cloudcore_lb_server_check_duration_seconds", "Duration of the last completed active health check.", ["backend", "server"]);

        /// <summary>The counters an upgrade carries: every one but the upgrade totals, which the state carries apart.</summary>
        private Counter[] Carried => [.. Counted, SessionsRefused, SessionsRecovered, RecoveryRefused];

        /// <summary>The counters that belong to an instance, frontend or server (pruned with it).</summary>
        private Counter[] Counted =>
        [
            AdvertsSent, AdvertsReceived, PriorityZeroSent, PriorityZeroReceived, MasterDownExpiries, GarpSent, UnknownVrid, Drops, Transitions,
            FrontendConnections, FrontendBytesIn, FrontendBytesOut, FrontendLimitPauses, FrontendDescriptorPauses, FrontendClosed,
            UdpDatagrams, UdpDropped, UdpRedispatches,
            ServerConnections, ServerBytesIn, ServerBytesOut, ServerConnectErrors, ServerRetries, ServerRedispatches, ServerTransitions, ServerCheckFailures,
        ];

        /// <summary>Exposes this process's count of a series on top of what the previous processes counted.</summary>
        public void Count(Counter counter, double value, params string[] labels) => carry.Count(counter, value, labels);

        /// <summary>Every carried series at least at its carried value (a counter only rises, so counted ones stay).</summary>
        public void ExposeCarried() => carry.ExposeCarried(Carried);

        /// <summary>Every carried series with a value, as this process exposes it now.</summary>
        public IReadOnlyList<CarriedCounter> Snapshot() => CounterCarry.Read(Carried);

        /// <summary>
        /// Drops the series whose owner is gone. The owner is read from the instrument's own label names, so every
        /// instrument is listed once below and none can be filed under the wrong owner.
        /// </summary>
        public void Prune(HashSet<string> instances, HashSet<(string, string)> trackedChecks, HashSet<string> frontends, HashSet<(string, string)> servers)
        {
            bool Alive(string[] names, string[] values) => names[0] switch
            {
                "instance" when names is [_, "check", ..] => trackedChecks.Contains((values[0], values[1])),
                "instance" => instances.Contains(values[0]),
                "frontend" => frontends.Contains(values[0]),
                "backend" => servers.Contains((values[0], values[1])),
                _ => true,
            };

            Gauge[] gauges = [VrrpState, EffectivePriority, ConfiguredPriority, ConfigurationFault, Held, TrackedCheckUp, TrackedInterfaceUp, FrontendActive, ServerUp, ServerAdminState, ServerActive, ServerCheckDuration];
            foreach (var gauge in gauges)
            {
                MetricsExporter.Prune(gauge, labels => Alive(gauge.LabelNames, labels));
            }

            foreach (var counter in Counted)
            {
                MetricsExporter.Prune(counter, labels => Alive(counter.LabelNames, labels));
            }
        }
    }
}
