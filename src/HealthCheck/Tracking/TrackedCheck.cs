using CloudCoreLb.HealthCheck.Probes;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>
/// One named check tracked for VRRP priority: a probe, its rise/fall counter and the loop running it. Owns all
/// three. Several <see cref="PriorityTracker"/>s (one per VRRP instance, each with its own weight, as keepalived's
/// <c>track_script { name weight W }</c>) may follow the same check; it runs once.
/// </summary>
public sealed class TrackedCheck : IAsyncDisposable
{
    private readonly IHealthProbe _probe;

    /// <summary>Wraps <paramref name="probe"/> with the scheduling and counting of <paramref name="options"/>.</summary>
    public TrackedCheck(TrackingOptions options, IHealthProbe probe, TimeProvider time, ILogger? logger = null)
        : this(options, probe, time, logger, validated: false)
    {
    }

    private TrackedCheck(TrackingOptions options, IHealthProbe probe, TimeProvider time, ILogger? logger, bool validated)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(probe);
        if (!validated)
        {
            ThrowIfInvalid(options);
        }

        Options = options;
        _probe = probe;
        Loop = new HealthCheckLoop(probe, options.CreateTracker(), options.ToTiming(), time, logger) { Name = options.Name };
    }

    /// <summary>Name (keepalived <c>vrrp_script</c> name).</summary>
    public string Name => Options.Name;

    /// <summary>Default weight for trackers that do not override it.</summary>
    public int Weight => Options.Weight;

    /// <summary>The settings.</summary>
    public TrackingOptions Options { get; }

    /// <summary>The loop: results, transitions, counters.</summary>
    public HealthCheckLoop Loop { get; }

    /// <summary>
    /// Builds the check <paramref name="options"/> describe: a script (<see cref="TrackedScriptOptions"/>), a native
    /// listener check, a TCP connect or an HTTP GET. Throws <see cref="ArgumentException"/> listing every problem,
    /// including an unsafe script file (<see cref="ScriptSecurity"/>): keepalived would silently drop such a script and
    /// run untracked.
    /// </summary>
    public static TrackedCheck Create(TrackingOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(options);
        IHealthProbe probe = options switch
        {
            TrackedScriptOptions script => new ExecScriptProbe(script.ToProbeOptions(), time, logger),
            ListenerCheckOptions listener => new ListenerProbe(listener.Ports, listener.Address),
            TcpCheckOptions tcp => new TcpConnectProbe(tcp.Target, tcp.ConnectTimeout, time),
            HttpCheckOptions http => new HttpGetProbe(http.Probe),
            _ => throw new ArgumentException($"check '{options.Name}': {options.GetType().Name} has no built-in probe; pass one to the constructor", nameof(options)),
        };

        return new TrackedCheck(options, probe, time, logger, validated: true);
    }

    private static void ThrowIfInvalid(TrackingOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }
    }

    /// <summary>Starts the loop. Attach trackers first so they see the first result.</summary>
    public void Start() => Loop.Start();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Loop.DisposeAsync().ConfigureAwait(false);
        switch (_probe)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
