namespace CloudCoreLb.Vrrp.Tests.Protocol;

/// <summary>
/// A fact that asks tshark (Debian package tshark, installed by scripts/deps.sh) to dissect what the code wrote.
/// Without tshark the test is reported as skipped with the reason, never as passed.
/// </summary>
internal sealed class TsharkFactAttribute : FactAttribute
{
    public TsharkFactAttribute()
    {
        if (Tshark.FindBinary() is null)
        {
            Skip = "Requires tshark (Debian package tshark) to dissect the adverts independently.";
        }
    }
}
