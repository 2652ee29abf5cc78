using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>A keepalived <c>vrrp_script</c>: a command whose exit status is the check (docs/design/vrrp.md §8).</summary>
public sealed record TrackedScriptOptions : TrackingOptions
{
    /// <summary>The command line (keepalived <c>script</c>); the first word is an absolute path.</summary>
    public required string Script { get; init; }

    /// <summary>User to run as (keepalived <c>user</c>). <remarks>Defaults to null: the daemon's user.</remarks></summary>
    public string? User { get; init; }

    /// <summary>Group to run as. <remarks>Defaults to null: the user's primary group.</remarks></summary>
    public string? Group { get; init; }

    /// <summary>The probe options these settings describe.</summary>
    public ExecScriptProbeOptions ToProbeOptions() => new() { Command = Script, User = User, Group = Group };

    /// <inheritdoc />
    /// <remarks>Includes <see cref="ScriptSecurity.Validate"/>: an unsafe script is an error, never silently dropped.</remarks>
    public override IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(base.Validate());
        foreach (var error in ToProbeOptions().Validate())
        {
            errors.Add($"check '{Name}': {error}");
        }

        return errors;
    }
}
