namespace CloudCoreLb.HealthCheck;

/// <summary>
/// The rise/fall counter shared by haproxy server checks and keepalived <c>vrrp_script</c>s: health moves in
/// [0, rise + fall - 1] and the target is up iff health &gt;= rise. A success at rise - 1 jumps to the top, a failure
/// below rise drops to 0, so <c>fall</c> consecutive failures take an up target down and <c>rise</c> consecutive
/// successes bring a down one up (haproxy <c>src/check.c</c>, keepalived <c>vrrp_track.c</c>).
/// Not thread-safe: one check loop owns it.
/// </summary>
public sealed class RiseFallTracker
{
    /// <summary>Creates a tracker.</summary>
    /// <param name="rise">Consecutive successes needed to go up, at least 1.</param>
    /// <param name="fall">Consecutive failures needed to go down, at least 1.</param>
    /// <param name="initialState">Starting point of the counter.</param>
    public RiseFallTracker(int rise, int fall, HealthInitialState initialState)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fall, 1);
        Rise = rise;
        Fall = fall;
        InitialState = initialState;
        Health = HealthAt(initialState);
        IsUp = Health >= rise;
    }

    /// <summary>Consecutive successes needed to go up.</summary>
    public int Rise { get; }

    /// <summary>Where the counter started; tells "no result yet" apart from "down" for keepalived's INIT state.</summary>
    public HealthInitialState InitialState { get; }

    /// <summary>Consecutive failures needed to go down.</summary>
    public int Fall { get; }

    /// <summary>Current counter value in [0, rise + fall - 1].</summary>
    public int Health { get; private set; }

    /// <summary>Current verdict.</summary>
    public bool IsUp { get; private set; }

    /// <summary>True once at least one result was reported.</summary>
    public bool HasResult { get; private set; }

    /// <summary>Up with no failure pending: haproxy uses <c>inter</c> here.</summary>
    public bool IsFullyUp => Health == Rise + Fall - 1;

    /// <summary>Down with no success pending: haproxy uses <c>downinter</c> here.</summary>
    public bool IsFullyDown => Health == 0;

    /// <summary>Moves the counter to where <paramref name="state"/> starts, keeping <see cref="HasResult"/>.</summary>
    /// <returns>True when <see cref="IsUp"/> changed.</returns>
    public bool Restart(HealthInitialState state)
    {
        Health = HealthAt(state);
        var wasUp = IsUp;
        IsUp = Health >= Rise;
        return wasUp != IsUp;
    }

    /// <summary>Records one check result.</summary>
    /// <returns>True when <see cref="IsUp"/> changed.</returns>
    public bool Report(bool success)
    {
        HasResult = true;
        var max = Rise + Fall - 1;
        if (success)
        {
            if (Health < max)
            {
                Health++;
            }

            if (Health >= Rise)
            {
                // Any success while up restores the full fall budget.
                Health = max;
            }
        }
        else
        {
            if (Health > 0)
            {
                Health--;
            }

            if (Health < Rise)
            {
                // Any failure while down restarts the rise count.
                Health = 0;
            }
        }

        var up = Health >= Rise;
        if (up == IsUp)
        {
            return false;
        }

        IsUp = up;
        return true;
    }

    private int HealthAt(HealthInitialState state) => state switch
    {
        HealthInitialState.FullyUp => Rise + Fall - 1,
        HealthInitialState.Up => Rise,
        HealthInitialState.Down => Rise - 1,
        HealthInitialState.FullyDown => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
