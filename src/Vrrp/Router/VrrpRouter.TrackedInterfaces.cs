namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// keepalived <c>track_interface</c>: other links than the instance's own move it, to Fault (weight 0) or by a
/// priority change (a weight), exactly as a tracked check does.
/// </summary>
internal sealed partial class VrrpRouter
{
    // Copy on write, index by index with the options' list, so a snapshot reads it without the lock; null: all up.
    private volatile bool[]? _trackedInterfaceUp;

    private int InterfaceDelta => InterfaceContribution().Delta;

    private bool InterfaceFault => InterfaceContribution().Fault;

    private string? DownInterface => InterfaceContribution().Down;

    /// <summary>Every tracked interface with whether it is up now (all up until reported otherwise).</summary>
    public IReadOnlyList<(VrrpTrackedInterface Interface, bool Up)> TrackedInterfaces
    {
        get
        {
            var tracked = _options.TrackedInterfaces;
            var up = _trackedInterfaceUp;
            return [.. tracked.Select((t, i) => (t, up is null || up[i]))];
        }
    }

    /// <summary>
    /// A tracked interface went down or came up: Fault for a weight-0 interface (the owner too), otherwise the
    /// priority moves by its weight and is advertised as after a tracking change. Reported before <see cref="Start"/>,
    /// it is applied by it. Names the instance does not track are ignored.
    /// </summary>
    public void OnTrackedInterfaceChanged(string name, bool up)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            var tracked = _options.TrackedInterfaces;
            var index = -1;
            for (var i = 0; i < tracked.Count && index < 0; i++)
            {
                index = tracked[i].Name == name ? i : -1;
            }

            var states = _trackedInterfaceUp ?? [.. tracked.Select(_ => true)];
            if (_disposed || index < 0 || states[index] == up)
            {
                return;
            }

            states = [.. states];
            states[index] = up;
            _trackedInterfaceUp = states;
            var old = _effectivePriority;
            var updated = UpdatePriority();
            if (_state == VrrpState.Initialize)
            {
                return;
            }

            var verb = up ? "came up" : "went down";
            if (!ApplyFaults(VrrpTransitionReason.LinkDown, $"tracked interface {name} {verb}", VrrpTransitionReason.LinkUp, $"tracked interface {name} {verb}")
                && updated != old)
            {
                PriorityChanged(old, updated);
            }
        }

        RaiseStateChanges();
    }

    /// <summary>The sum of the tracked interfaces' weights in effect, whether one of them faults the instance, and the first that does.</summary>
    private (int Delta, bool Fault, string? Down) InterfaceContribution()
    {
        var tracked = _options.TrackedInterfaces;
        var states = _trackedInterfaceUp;
        var (sum, anyFault, down) = (0, false, (string?)null);
        for (var i = 0; i < tracked.Count; i++)
        {
            var (delta, fault) = tracked[i].Contribution(states is null || states[i]);
            sum += delta;
            if (fault && !anyFault)
            {
                (anyFault, down) = (true, tracked[i].Name);
            }
        }

        return (sum, anyFault, down);
    }
}
