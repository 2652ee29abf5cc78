namespace CloudCoreLb.Host.Configuration;

/// <summary>An instance's <c>track:</c> entry: the check it follows and an optional weight override.</summary>
/// <param name="Definition">The check, as defined under <c>checks:</c>.</param>
/// <param name="Weight">Overrides the check's own weight when set.</param>
internal sealed record TrackReference(CheckDefinition Definition, int? Weight)
{
    /// <summary>The check's name.</summary>
    public string Check => Definition.Name;
}
