namespace CloudCoreLb.Vrrp;

/// <summary>
/// Another interface an instance follows (keepalived <c>track_interface { NAME weight W }</c>): weight 0 puts the
/// instance in Fault while the interface is down; a positive weight is added to the priority while it is up, a negative
/// one subtracted while it is down.
/// </summary>
/// <param name="Name">Interface name (at most 15 characters).</param>
/// <param name="Weight">-253..253. <remarks>Defaults to 0 (Fault while down).</remarks></param>
public readonly record struct VrrpTrackedInterface(string Name, int Weight = 0)
{
    /// <summary>The priority change this interface contributes in <paramref name="up"/> state, and whether it faults the instance.</summary>
    public (int Delta, bool Fault) Contribution(bool up) => Weight switch
    {
        0 => (0, !up),
        > 0 => (up ? Weight : 0, false),
        _ => (up ? 0 : Weight, false),
    };

    /// <inheritdoc />
    public override string ToString() => Weight == 0 ? Name : $"{Name} weight {Weight}";
}
