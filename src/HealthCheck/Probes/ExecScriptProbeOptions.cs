namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>What an <see cref="ExecScriptProbe"/> runs and as whom.</summary>
public sealed record ExecScriptProbeOptions
{
    /// <summary>
    /// The command line, keepalived <c>script</c> syntax (quotes group, backslash escapes; see docs/design/vrrp.md §10). The first
    /// word must be an absolute path to an executable file.
    /// </summary>
    public required string Command { get; init; }

    /// <summary>
    /// Unprivileged user to run as (keepalived <c>user</c>); null runs as the daemon's own user.
    /// <remarks>Defaults to null.</remarks>
    /// </summary>
    public string? User { get; init; }

    /// <summary>Group to run as; null = the user's primary group. <remarks>Defaults to null.</remarks></summary>
    public string? Group { get; init; }

    /// <summary>
    /// Time between SIGTERM and SIGKILL to the script's process group after a timeout (keepalived: 2 s).
    /// <remarks>Defaults to 2 s.</remarks>
    /// </summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Checks the command line, the user and, unless <paramref name="checkFile"/> is false, the script file through
    /// <see cref="ScriptSecurity.Validate"/>. Returns the problems found, empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate(bool checkFile = true)
    {
        var errors = new List<string>();
        string[] argv;
        try
        {
            argv = ScriptCommandLine.Split(Command);
        }
        catch (FormatException ex)
        {
            errors.Add($"script '{Command}': {ex.Message}");
            return errors;
        }

        UnixAccount? account = null;
        if (User is not null && !UnixAccount.TryResolve(User, Group, out account, out var error))
        {
            errors.Add($"script '{Command}': {error}");
        }
        else if (User is null && Group is not null)
        {
            errors.Add($"script '{Command}': a group needs a user");
        }

        if (KillGrace < TimeSpan.Zero)
        {
            errors.Add($"script '{Command}': kill grace must not be negative");
        }

        if (checkFile)
        {
            errors.AddRange(ScriptSecurity.Validate(argv[0], account));
        }

        return errors;
    }
}
