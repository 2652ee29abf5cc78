using System.Net;
using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// One VRRPv2 virtual router (RFC 3768 §6), timed and ordered like keepalived (docs/design/vrrp.md §4-§6) so it interoperates
/// with keepalived peers. Every entry point and timer callback runs under one lock, so the state machine is single
/// threaded; side effects are synchronous calls on the seams (<see cref="IVrrpTransport"/>, <see cref="IVipManager"/>,
/// <see cref="IGarpSender"/>) made under that lock, and <see cref="StateChanged"/> is raised after it is released.
/// </summary>
/// <remarks>
/// Link state and health tracking reported before <see cref="Start"/> are remembered and applied by it.
/// <see cref="Dispose"/> stops the timers without releasing anything (crash semantics, the VIP stays); call
/// <see cref="Stop"/> first for a clean release.
/// </remarks>
internal sealed partial class VrrpRouter : IDisposable
{
    private readonly VrrpInstanceOptions _options;
    private readonly IVrrpTransport _transport;
    private readonly IVipManager _vips;
    private readonly IGarpSender _garp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly VrrpAdvertValidator? _validator;
    private readonly VirtualAddress[] _addresses;
    private readonly byte[] _advert;
    private readonly IPAddress _sourceAddress;
    private readonly UInt128 _source;
    private readonly System.Net.Sockets.AddressFamily _family;
    private readonly byte _advertIntervalSeconds;
    private readonly TimeSpan _advertInterval;
    private readonly long _originTimestamp;
    private readonly Queue<VrrpStateChange> _pendingChanges = new();

    private volatile VrrpState _state = VrrpState.Initialize;
    private volatile VrrpStampedStateChange? _lastTransition;
    private volatile byte _effectivePriority;
    private volatile IPAddress? _lastMasterAddress;
    private volatile byte _lastMasterPriority;
    private volatile string? _configurationFault;
    private UInt128 _lastMaster;
    private UInt128 _configurationFaultSource;
    private bool _raisingChanges;
    private bool _disposed;
    private bool _linkUp = true;
    private int _trackingDelta;
    private bool _trackingFault;
    private bool _holdingLeftoverAddresses;
    private bool _masterReleased;
    private TimeSpan? _preemptDelayStart;

    /// <summary>Creates a router in <see cref="VrrpState.Initialize"/>; nothing is sent before <see cref="Start"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public VrrpRouter(VrrpInstanceOptions options, IVrrpTransport transport, IVipManager vips, IGarpSender garp, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(vips);
        ArgumentNullException.ThrowIfNull(garp);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        VrrpInstanceOptionsValidator.ThrowIfInvalid(options);

        _options = options;
        _transport = transport;
        _vips = vips;
        _garp = garp;
        _time = time;
        _logger = logger;
        _sourceAddress = transport.SourceAddress;
        _source = RouterAddressKey.From(_sourceAddress);
        _family = _sourceAddress.AddressFamily;
        _addresses = [.. options.VirtualAddresses];
        _advertIntervalSeconds = (byte)options.AdvertInterval.TotalSeconds;
        _advertInterval = options.Version == 3 ? options.AdvertInterval : TimeSpan.FromSeconds(_advertIntervalSeconds);
        _masterAdvertInterval = _advertInterval;
        _validator = options.Version == 3 ? null : new VrrpAdvertValidator(options, _sourceAddress);
        (_v3Validator, _v3Destination) = CreateVersion3(options, _sourceAddress);

        // Encoded once; each send only patches the priority and checksum.
        _advert = _v3Validator is null ? VrrpAdvertisementWriter.Create(options, (byte)options.Priority) : VrrpV3AdvertisementWriter.Create(options, (byte)options.Priority, _sourceAddress);

        _effectivePriority = ComputeEffectivePriority();
        _originTimestamp = time.GetTimestamp();
        _dropLogTimes = new TimeSpan?[Enum.GetValues<VrrpDropReason>().Max(r => (int)r) + 1];
        _masterDownTimer = new DeadlineTimer(this, static (r, _) => r.OnMasterDownTimer());
        _advertTimer = new DeadlineTimer(this, static (r, deadline) => r.OnAdvertTimer(deadline));
        _garpDelayTimer = new DeadlineTimer(this, static (r, _) => r.OnGarpDelayTimer());
        _garpRefreshTimer = new DeadlineTimer(this, static (r, deadline) => r.OnGarpRefreshTimer(deadline));
        _lowerPriorityGarpTimer = new DeadlineTimer(this, static (r, _) => r.OnLowerPriorityGarpTimer());
    }

    /// <summary>Raised after every state transition, outside the router's lock, in transition order.</summary>
    public event Action<VrrpStateChange>? StateChanged;

    /// <summary>Current state.</summary>
    public VrrpState State => _state;

    /// <summary>The last state change and when it happened; null before <see cref="Start"/>.</summary>
    public VrrpStampedStateChange? LastTransition => _lastTransition;

    /// <summary>Configured priority adjusted by tracking, clamped to 1-254; 255 for the owner; 1 while held.</summary>
    public byte EffectivePriority => _effectivePriority;

    /// <summary>Source of the last accepted advert (our own address while master); null until one is known.</summary>
    public IPAddress? LastMasterAddress => _lastMasterAddress;

    /// <summary>Priority of the last accepted advert (ours while master).</summary>
    public byte LastMasterPriority => _lastMasterPriority;

    /// <summary>Counters of this instance.</summary>
    public VrrpCounters Counters { get; } = new();

    /// <summary>
    /// The last configuration mismatch seen with a peer (advert interval, authentication, VIP list), which makes
    /// both nodes drop each other's adverts; null once a valid advert arrives from that peer.
    /// </summary>
    public string? ConfigurationFault => _configurationFault;

    /// <summary>The configured instance name.</summary>
    public string Name => _options.Name;

    /// <summary>The address adverts leave from (the transport's).</summary>
    public IPAddress SourceAddress => _sourceAddress;

    private TimeSpan Now => _time.GetElapsedTime(_originTimestamp);

    /// <summary>
    /// Starts the instance: Backup with the full master-down timer, Master at once for the priority-255 owner, or
    /// Fault when the link is down or a fault-level tracker fails. VIPs already present (a crash leftover) are kept
    /// while waiting, unlike keepalived which deletes them first and drops traffic (keepalived #2647).
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != VrrpState.Initialize)
            {
                throw new InvalidOperationException($"VRRP instance {_options.Name} is already started.");
            }

            _effectivePriority = ComputeEffectivePriority();
            _masterAdvertInterval = _advertInterval;
            LogStarting();
            var leftover = AnyAddressPresent();
            if (FaultDue())
            {
                if (leftover)
                {
                    RemoveAddresses();
                }

                var (reason, detail) = StartFaultCause();
                EnterState(VrrpState.Fault, reason, detail);
            }
            else if (_options.Priority == VrrpAdvertisement.PriorityOwner)
            {
                EnterMaster(VrrpTransitionReason.AddressOwner, "priority 255 (address owner)");
            }
            else
            {
                if (leftover)
                {
                    _holdingLeftoverAddresses = true;
                    VrrpLog.LeftoverAddressesKept(_logger, _options.Name);
                }

                EnterBackup(VrrpTransitionReason.Startup, $"master-down interval {FormatSeconds(MasterDownInterval(_effectivePriority))}");
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Validates one received datagram (IPv4 header included), counts it, and feeds a valid advert to the state
    /// machine. Never throws for bad input.
    /// </summary>
    public void OnDatagram(ReadOnlySpan<byte> ipv4Datagram, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        lock (_gate)
        {
            if (!_disposed && !_frozen)
            {
                ReceiveLocked(ipv4Datagram, destination);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Validates one received VRRPv3 message of an IPv6 instance (no IP header: IPv6 raw sockets strip it, so the
    /// transport passes the addresses and hop limit from the ancillary data), counts it, and feeds a valid advert to
    /// the state machine. Never throws for bad input.
    /// </summary>
    public void OnIPv6Datagram(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, int hopLimit)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        lock (_gate)
        {
            if (!_disposed && !_frozen)
            {
                ReceiveIPv6Locked(message, source, destination, hopLimit);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Counts a datagram the socket reported as truncated (MSG_TRUNC, <see cref="VrrpDatagram.Truncated"/>): it is
    /// dropped without being parsed, as keepalived does.
    /// </summary>
    public void OnTruncatedDatagram() => Counters.Dropped(VrrpDropReason.Truncated);

    /// <summary>
    /// Link down: Fault (priority-0 advert if master, VIPs removed). Link up: Backup with the full timer (the
    /// owner becomes master at once).
    /// </summary>
    public void OnLinkChanged(bool up)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _linkUp = up;
            if (_state == VrrpState.Initialize)
            {
                return;
            }

            ApplyFaults(VrrpTransitionReason.LinkDown, $"interface {_options.Interface} went down", VrrpTransitionReason.LinkUp, $"interface {_options.Interface} came up");
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// An address was deleted from the interface. If it is one of our VIPs and we are master, someone removed it
    /// under us: leave master with a priority-0 advert so a peer takes over (docs/design/vrrp.md §5.5).
    /// </summary>
    public void OnAddressRemoved(IPAddress a)
    {
        ArgumentNullException.ThrowIfNull(a);
        lock (_gate)
        {
            if (_disposed || _state != VrrpState.Master || !IsOurAddress(a))
            {
                return;
            }

            VrrpLog.AddressRemovedExternally(_logger, _options.Name, a);
            ReleaseAndEnter(VrrpState.Backup, VrrpTransitionReason.AddressRemoved, $"{a} deleted from {_options.Interface}");
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Applies the health-tracking result: effective priority = clamp(configured + delta, 1, 254) (the owner ignores
    /// deltas); <paramref name="fault"/> forces Fault. Unlike keepalived, a master advertises a new priority at
    /// once instead of at the next periodic advert, and a backup shifts its pending master-down expiry by the skew
    /// difference (docs/design/vrrp.md §4).
    /// </summary>
    public void SetTracking(int priorityDelta, bool fault)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _trackingDelta = priorityDelta;
            _trackingFault = fault;
            var old = _effectivePriority;
            var updated = UpdatePriority();
            if (_state == VrrpState.Initialize)
            {
                return;
            }

            if (!ApplyFaults(VrrpTransitionReason.TrackingFault, "a fault-level tracker failed", VrrpTransitionReason.TrackingRecovered, "fault-level trackers recovered")
                && updated != old)
            {
                PriorityChanged(old, updated);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>Under the lock: stores and logs the effective priority now due.</summary>
    private byte UpdatePriority()
    {
        var old = _effectivePriority;
        var updated = ComputeEffectivePriority();
        _effectivePriority = updated;
        if (updated != old)
        {
            VrrpLog.EffectivePriorityChanged(_logger, _options.Name, old, updated);
        }

        return updated;
    }

    /// <summary>A master advertises the new priority at once; a backup shifts its master-down expiry by the skew change.</summary>
    private void PriorityChanged(byte old, byte updated)
    {
        if (_state == VrrpState.Master)
        {
            SendAdvert(AdvertPriority);
        }
        else if (_state == VrrpState.Backup && _masterDownTimer.Deadline is { } deadline && !_masterReleased)
        {
            _masterDownTimer.ArmAt(deadline + SkewTime(updated) - SkewTime(old));
        }
    }

    /// <summary>
    /// True when the state machine's lock is free within <paramref name="timeout"/>: the systemd watchdog's proof
    /// that timers and received adverts are still being processed (a wedged router would otherwise hold a stale VIP).
    /// </summary>
    public bool IsResponsive(TimeSpan timeout)
    {
        if (!_gate.TryEnter(timeout))
        {
            return false;
        }

        _gate.Exit();
        return true;
    }

    /// <summary>
    /// Clean stop: a master sends one priority-0 advert and removes its VIPs (so the backup takes over after its
    /// skew time, 0.61 s at priority 99); a backup holding leftover VIPs removes them. State becomes Initialize and
    /// <see cref="Start"/> may be called again.
    /// </summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_disposed || _state == VrrpState.Initialize)
            {
                return;
            }

            ReleaseAndEnter(VrrpState.Initialize, VrrpTransitionReason.Stopped, "stopped");
        }

        RaiseStateChanges();
    }

    /// <summary>Stops every timer; sends nothing and leaves VIPs as they are.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _handingOver = false;
            _handoverTimer?.Dispose();
            _handover?.TrySetResult(new VrrpHandoverOutcome(false, null, "the instance was disposed"));
            _masterDownTimer.Dispose();
            _advertTimer.Dispose();
            _garpDelayTimer.Dispose();
            _garpRefreshTimer.Dispose();
            _lowerPriorityGarpTimer.Dispose();
        }
    }

    private byte ComputeEffectivePriority() =>
        _options.Priority == VrrpAdvertisement.PriorityOwner
            ? VrrpAdvertisement.PriorityOwner
            : _held ? HeldPriority : (byte)Math.Clamp(_options.Priority + _trackingDelta + InterfaceDelta, 1, 254);

    private bool IsOurAddress(IPAddress a)
    {
        foreach (var vip in _addresses)
        {
            if (vip.Address.Equals(a))
            {
                return true;
            }
        }

        return false;
    }

    private void RaiseStateChanges()
    {
        // One thread drains at a time so handlers see transitions in order, even when a handler calls back into
        // the router or another thread transitions meanwhile.
        while (true)
        {
            VrrpStateChange change;
            lock (_gate)
            {
                if (_raisingChanges || !_pendingChanges.TryDequeue(out change))
                {
                    return;
                }

                _raisingChanges = true;
            }

            try
            {
                StateChanged?.Invoke(change);
            }
            catch (Exception ex)
            {
                VrrpLog.StateChangedHandlerFailed(_logger, _options.Name, ex);
            }
            finally
            {
                lock (_gate)
                {
                    _raisingChanges = false;
                }
            }
        }
    }

    private static string FormatSeconds(TimeSpan value) => $"{value.TotalSeconds:0.######} s";
}
