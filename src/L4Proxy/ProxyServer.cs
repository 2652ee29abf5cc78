using System.Net;
using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy.Counters;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// Runtime state of one server of one backend: its resolved settings, its own check verdict, its host group and its
/// counters. <see cref="IsUsable"/> is read lock-free on every pick.
/// </summary>
internal sealed class ProxyServer
{
    private volatile bool _checkUp;
    private volatile int _adminState;

    /// <param name="backend">Owning backend.</param>
    /// <param name="index">Position in the backend.</param>
    /// <param name="options">Server options.</param>
    /// <param name="identity">Consistent-hash identity.</param>
    /// <param name="host">The host group it joins when servers are grouped by host, else null.</param>
    /// <param name="previous">The same server before a reload: its counters and health carry over.</param>
    public ProxyServer(ProxyBackend backend, int index, ServerOptions options, string identity, HostGroup? host = null, ProxyServer? previous = null)
    {
        Backend = backend;
        Index = index;
        Bit = 1UL << index;
        Options = options;
        Name = options.Name;
        EndPoint = options.EndPoint!;
        Weight = options.Weight;
        Backup = options.Backup;
        Identity = identity;
        IdentityHash = Balancing.HashMix.HashIdentity(identity);
        var defaults = backend.Options.Health;
        Inter = options.Inter ?? defaults.Inter;
        Rise = options.Rise ?? defaults.Rise;
        Fall = options.Fall ?? defaults.Fall;
        InitialState = options.InitialState ?? defaults.InitialState;
        CheckTimeout = defaults.Timeout ?? (backend.Options.ConnectTimeout < Inter ? backend.Options.ConnectTimeout : Inter);
        Timing = new HealthCheckTiming
        {
            Interval = Inter,
            FastInterval = options.FastInter ?? defaults.FastInter,
            DownInterval = options.DownInter ?? defaults.DownInter,

            // The probe times itself out (L4TOUT) at CheckTimeout; the loop's own timeout is only a safety net.
            Timeout = CheckTimeout + TimeSpan.FromSeconds(1),
        };

        // Unchecked servers are always available (haproxy); checked ones start where InitialState says.
        _checkUp = !options.Check || InitialState is HealthInitialState.Up or HealthInitialState.FullyUp;
        if (previous is not null)
        {
            // A reload keeps what the checks learned (haproxy needs server-state-file for this).
            Counters = previous.Counters;
            LastCheckStatus = previous.LastCheckStatus;
            LastCheckDuration = previous.LastCheckDuration;

            // An operator's drain or maint outlives a reload of the same server (same backend, name and address).
            _adminState = previous._adminState;
            if (options.Check && previous.Checked)
            {
                _checkUp = previous.CheckUp;
                InitialState = _checkUp ? HealthInitialState.FullyUp : HealthInitialState.FullyDown;
            }
        }

        EffectiveUp = _checkUp;
        Host = host;
        host?.Add(this);
    }

    /// <summary>Connect timeout of one active check.</summary>
    public TimeSpan CheckTimeout { get; }

    public ProxyBackend Backend { get; }

    /// <summary>Position in the backend, also the bit in a redispatch exclusion mask.</summary>
    public int Index { get; }

    /// <summary><c>1UL &lt;&lt; Index</c>.</summary>
    public ulong Bit { get; }

    public ServerOptions Options { get; }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public int Weight { get; }

    public bool Backup { get; }

    public bool Checked => Options.Check;

    /// <summary>What the consistent hash sees: the host address when grouped by host, else the hash key or address:port.</summary>
    public string Identity { get; }

    public ulong IdentityHash { get; }

    public TimeSpan Inter { get; }

    public int Rise { get; }

    public int Fall { get; }

    public HealthInitialState InitialState { get; }

    public HealthCheckTiming Timing { get; }

    public ServerCounters Counters { get; } = new();

    /// <summary>The host group when servers are grouped by host, else null.</summary>
    public HostGroup? Host { get; }

    /// <summary>This server's own active check verdict.</summary>
    public bool CheckUp => _checkUp;

    /// <summary>What its checks allow: its own check is up and (when grouped) every grouped port of its host is.</summary>
    public bool HealthUp => Host is { } host ? host.IsUp : _checkUp;

    /// <summary>Can take new connections: <see cref="HealthUp"/> and not drained or in maintenance. A drained server
    /// is skipped by every balancer exactly like a down one, so only its own clients move.</summary>
    public bool IsUsable => _adminState == (int)ServerAdminState.Ready && HealthUp;

    /// <summary>The operator's state; set through <see cref="ProxyRuntime.SetAdminState"/>.</summary>
    public ServerAdminState AdminState
    {
        get => (ServerAdminState)_adminState;
        set => _adminState = (int)value;
    }

    /// <summary>The last <see cref="HealthUp"/> the runtime acted on (transition counting, logs, shutdown-sessions);
    /// admin states are not health transitions.</summary>
    public bool EffectiveUp { get; set; }

    /// <summary>The last check status (L4OK, L4CON, L4TOUT...), for status output.</summary>
    public string? LastCheckStatus { get; set; }

    /// <summary>How long the last completed check took (connect time for a TCP check), for metrics.</summary>
    public TimeSpan? LastCheckDuration { get; set; }

    /// <summary>Records a new check verdict. Returns true when it changed.</summary>
    public bool SetCheckUp(bool up)
    {
        if (_checkUp == up)
        {
            return false;
        }

        _checkUp = up;
        Host?.MemberChanged(up);
        return true;
    }

    public override string ToString() => $"{Backend.Name}/{Name}";
}
