namespace CloudCoreLb.HealthCheck.Tests.TestSupport;

/// <summary>A fact that needs root (chown, setpriv to another user); skipped with the reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Tmds.Linux.LibC.geteuid() != 0)
        {
            Skip = "needs root: changes file owners or switches to another user";
        }
    }
}
