using System.Net;
using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// One VRRPv2 virtual router (RFC 3768 §6), timed and ordered like keepalived (vrrp.md §4-§6) so it interoperates
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
    private readonly VrrpInstanceOptions options;
    private readonly IVrrpTransport transport;
    private readonly IVipManager vips;
    private readonly IGarpSender garp;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly VrrpAdvertValidator validator;
    private readonly VirtualAddress[] addresses;
    private readonly byte[] advert;
    private readonly IPAddress sourceAddress;
    private readonly uint source;
    private readonly byte advertIntervalSeconds;
    private readonly TimeSpan advertInterval;
    private readonly long originTimestamp;
    private readonly Queue<VrrpStateChange> pendingChanges = new();

    private volatile VrrpState state = VrrpState.Initialize;
    private volatile byte effectivePriority;
    private volatile IPAddress? lastMasterAddress;
    private volatile byte lastMasterPriority;
    private volatile string? configurationFault;
    private uint lastMaster;
    private uint configurationFaultSource;
    private bool raisingChanges;
    private bool disposed;
    private bool linkUp = true;
    private int trackingDelta;
    private bool trackingFault;
    private bool holdingLeftoverAddresses;
    private bool masterReleased;
    private TimeSpan? preemptDelayStart;

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

        this.options = options;
        this.transport = transport;
        this.vips = vips;
        this.garp = garp;
        this.time = time;
        this.logger = logger;
        sourceAddress = transport.SourceAddress;
        source = Ipv4Address.ToUInt32(sourceAddress);
        addresses = [.. options.VirtualAddresses];
        advertIntervalSeconds = (byte)options.AdvertInterval.TotalSeconds;
        advertInterval = TimeSpan.FromSeconds(advertIntervalSeconds);
        validator = new VrrpAdvertValidator(options, sourceAddress);

        // Encoded once; each send only patches the priority and checksum.
        var vipAddresses = addresses.Select(v => Ipv4Address.ToUInt32(v.Address)).ToArray();
        advert = new byte[VrrpAdvertisement.GetLength(vipAddresses.Length)];
        VrrpAdvertisementWriter.Write(
            advert,
            options.VirtualRouterId,
            options.Priority,
            options.AuthType,
            advertIntervalSeconds,
            vipAddresses,
            VrrpAuthData.Create(options.AuthType, options.AuthPassword));

        effectivePriority = ComputeEffectivePriority();
        originTimestamp = time.GetTimestamp();
        dropLogTimes = new TimeSpan?[Enum.GetValues<VrrpDropReason>().Max(r => (int)r) + 1];
        masterDownTimer = new DeadlineTimer(this, static (r, _) => r.OnMasterDownTimer());
        advertTimer = new DeadlineTimer(this, static (r, deadline) => r.OnAdvertTimer(deadline));
        garpDelayTimer = new DeadlineTimer(this, static (r, _) => r.OnGarpDelayTimer());
        garpRefreshTimer = new DeadlineTimer(this, static (r, deadline) => r.OnGarpRefreshTimer(deadline));
        lowerPriorityGarpTimer = new DeadlineTimer(this, static (r, _) => r.OnLowerPriorityGarpTimer());
    }

    /// <summary>Raised after every state transition, outside the router's lock, in transition order.</summary>
    public event Action<VrrpStateChange>? StateChanged;

    /// <summary>Current state.</summary>
    public VrrpState State => state;

    /// <summary>Configured priority adjusted by tracking, clamped to 1-254; 255 for the owner.</summary>
    public byte EffectivePriority => effectivePriority;

    /// <summary>Source of the last accepted advert (our own address while master); null until one is known.</summary>
    public IPAddress? LastMasterAddress => lastMasterAddress;

    /// <summary>Priority of the last accepted advert (ours while master).</summary>
    public byte LastMasterPriority => lastMasterPriority;

    /// <summary>Counters of this instance.</summary>
    public VrrpCounters Counters { get; } = new();

    /// <summary>
    /// The last configuration mismatch seen with a peer (advert interval, authentication, VIP list), which makes
    /// both nodes drop each other's adverts; null once a valid advert arrives from that peer.
    /// </summary>
    public string? ConfigurationFault => configurationFault;

    /// <summary>The configured instance name.</summary>
    public string Name => options.Name;

    private TimeSpan Now => time.GetElapsedTime(originTimestamp);

    /// <summary>
    /// Starts the instance: Backup with the full master-down timer, Master at once for the priority-255 owner, or
    /// Fault when the link is down or a fault-level tracker fails. VIPs already present (a crash leftover) are kept
    /// while waiting, unlike keepalived which deletes them first and drops traffic (keepalived #2647).
    /// </summary>
    public void Start()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (state != VrrpState.Initialize)
            {
                throw new InvalidOperationException($"VRRP instance {options.Name} is already started.");
            }

            effectivePriority = ComputeEffectivePriority();
            VrrpLog.Starting(logger, options.Name, options.Interface, options.VirtualRouterId, effectivePriority, advertIntervalSeconds, sourceAddress, options.IsUnicast ? "unicast" : $"multicast {options.MulticastGroup}");
            var leftover = AnyAddressPresent();
            if (!linkUp || trackingFault)
            {
                if (leftover)
                {
                    RemoveAddresses();
                }

                var reason = linkUp ? VrrpTransitionReason.TrackingFault : VrrpTransitionReason.LinkDown;
                EnterState(VrrpState.Fault, reason, linkUp ? "a fault-level tracker is failing" : $"interface {options.Interface} is down");
            }
            else if (options.Priority == VrrpAdvertisement.PriorityOwner)
            {
                EnterMaster(VrrpTransitionReason.AddressOwner, "priority 255 (address owner)");
            }
            else
            {
                if (leftover)
                {
                    holdingLeftoverAddresses = true;
                    VrrpLog.LeftoverAddressesKept(logger, options.Name);
                }

                EnterBackup(VrrpTransitionReason.Startup, $"master-down interval {FormatSeconds(MasterDownInterval(effectivePriority))}");
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
        lock (gate)
        {
            if (!disposed)
            {
                ReceiveLocked(ipv4Datagram, destination);
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
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            linkUp = up;
            if (state == VrrpState.Initialize)
            {
                return;
            }

            if (!up && state != VrrpState.Fault)
            {
                ReleaseAndEnter(VrrpState.Fault, VrrpTransitionReason.LinkDown, $"interface {options.Interface} went down");
            }
            else if (up && state == VrrpState.Fault && !trackingFault)
            {
                LeaveFault(VrrpTransitionReason.LinkUp, $"interface {options.Interface} came up");
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// An address was deleted from the interface. If it is one of our VIPs and we are master, someone removed it
    /// under us: leave master with a priority-0 advert so a peer takes over (vrrp.md §5.5).
    /// </summary>
    public void OnAddressRemoved(IPAddress a)
    {
        ArgumentNullException.ThrowIfNull(a);
        lock (gate)
        {
            if (disposed || state != VrrpState.Master || !IsOurAddress(a))
            {
                return;
            }

            VrrpLog.AddressRemovedExternally(logger, options.Name, a);
            ReleaseAndEnter(VrrpState.Backup, VrrpTransitionReason.AddressRemoved, $"{a} deleted from {options.Interface}");
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// Applies the health-tracking result: effective priority = clamp(configured + delta, 1, 254) (the owner ignores
    /// deltas); <paramref name="fault"/> forces Fault. Unlike keepalived, a master advertises a new priority at
    /// once instead of at the next periodic advert, and a backup shifts its pending master-down expiry by the skew
    /// difference (vrrp.md §4).
    /// </summary>
    public void SetTracking(int priorityDelta, bool fault)
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            trackingDelta = priorityDelta;
            trackingFault = fault;
            var old = effectivePriority;
            var updated = ComputeEffectivePriority();
            effectivePriority = updated;
            if (updated != old)
            {
                VrrpLog.EffectivePriorityChanged(logger, options.Name, old, updated);
            }

            if (state == VrrpState.Initialize)
            {
                return;
            }

            if (fault && state != VrrpState.Fault)
            {
                ReleaseAndEnter(VrrpState.Fault, VrrpTransitionReason.TrackingFault, "a fault-level tracker failed");
            }
            else if (!fault && state == VrrpState.Fault && linkUp)
            {
                LeaveFault(VrrpTransitionReason.TrackingRecovered, "fault-level trackers recovered");
            }
            else if (updated != old && state == VrrpState.Master)
            {
                SendAdvert(updated);
            }
            else if (updated != old && state == VrrpState.Backup && masterDownTimer.Deadline is { } deadline && !masterReleased)
            {
                masterDownTimer.ArmAt(deadline + Skew(updated) - Skew(old));
            }
        }

        RaiseStateChanges();
    }

    /// <summary>
    /// True when the state machine's lock is free within <paramref name="timeout"/>: the systemd watchdog's proof
    /// that timers and received adverts are still being processed (a wedged router would otherwise hold a stale VIP).
    /// </summary>
    public bool IsResponsive(TimeSpan timeout)
    {
        if (!gate.TryEnter(timeout))
        {
            return false;
        }

        gate.Exit();
        return true;
    }

    /// <summary>
    /// Clean stop: a master sends one priority-0 advert and removes its VIPs (so the backup takes over after its
    /// skew time, 0.61 s at priority 99); a backup holding leftover VIPs removes them. State becomes Initialize and
    /// <see cref="Start"/> may be called again.
    /// </summary>
    public void Stop()
    {
        lock (gate)
        {
            if (disposed || state == VrrpState.Initialize)
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
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            masterDownTimer.Dispose();
            advertTimer.Dispose();
            garpDelayTimer.Dispose();
            garpRefreshTimer.Dispose();
            lowerPriorityGarpTimer.Dispose();
        }
    }

    private byte ComputeEffectivePriority() =>
        options.Priority == VrrpAdvertisement.PriorityOwner
            ? VrrpAdvertisement.PriorityOwner
            : (byte)Math.Clamp(options.Priority + trackingDelta, 1, 254);

    private bool IsOurAddress(IPAddress a)
    {
        foreach (var vip in addresses)
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
            lock (gate)
            {
                if (raisingChanges || !pendingChanges.TryDequeue(out change))
                {
                    return;
                }

                raisingChanges = true;
            }

            try
            {
                StateChanged?.Invoke(change);
            }
            catch (Exception ex)
            {
                VrrpLog.StateChangedHandlerFailed(logger, options.Name, ex);
            }
            finally
            {
                lock (gate)
                {
                    raisingChanges = false;
                }
            }
        }
    }

    private static string FormatSeconds(TimeSpan value) => $"{value.TotalSeconds:0.######} s";
}
