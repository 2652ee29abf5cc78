namespace CloudCoreLb.TestSupport;

/// <summary>A theory that needs root, skipped with <see cref="RootFactAttribute"/>'s reason otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips every case, with the reason, unless the process is privileged (euid 0).</summary>
    public RootTheoryAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = new RootFactAttribute().Skip;
        }
    }
}
