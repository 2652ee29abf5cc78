using CloudCoreLb.L4Proxy.Handover;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// Where this process stands in the chain of processes an upgrade replaces one by one: its generation, when the
/// chain started, what it inherited, and whether it has handed over (then stopping must release nothing).
/// </summary>
internal sealed class ProcessLineage(TimeProvider time)
{
    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _handedOver;

    /// <summary>1 for a process started by the service manager, one more for each upgrade.</summary>
    public int Generation { get; private set; } = 1;

    /// <summary>When the first process of the chain started.</summary>
    public DateTimeOffset StartedAt { get; private set; } = time.GetUtcNow();

    /// <summary>When this process started.</summary>
    public DateTimeOffset ProcessStartedAt { get; } = time.GetUtcNow();

    /// <summary>The proxy part of the inherited state, with this process's descriptor numbers; null when none.</summary>
    public ProxyHandover? InheritedProxy { get; private set; }

    /// <summary>Whether this process was started to take over from a running one.</summary>
    public bool IsTakeover { get; set; }

    /// <summary>This process gave everything to its successor: stop without closing or releasing anything.</summary>
    public bool HandedOver => _handedOver;

    /// <summary>Completes when the previous process let go (at once when there is none).</summary>
    public Task Committed => IsTakeover ? _committed.Task : Task.CompletedTask;

    /// <summary>Sessions this process handed to its successor; sessions it adopted and refused, by reason.</summary>
    public HandoverCounters Counters { get; } = new();

    public void Inherit(StateDescription state, ProxyHandover? proxy)
    {
        InheritedProxy = proxy;
        Generation = state.Generation;
        StartedAt = state.StartedAt;
    }

    public void MarkCommitted() => _committed.TrySetResult();

    /// <summary>
    /// Called synchronously by <see cref="MarkHandedOver"/>, before the successor is told to commit: what must be let
    /// go first (the control socket, whose path the successor binds anew).
    /// </summary>
    public event Action? HandingOver;

    public void MarkHandedOver()
    {
        _handedOver = true;
        HandingOver?.Invoke();
    }
}
