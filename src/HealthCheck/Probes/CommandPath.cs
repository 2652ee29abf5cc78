namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// keepalived's search for a script named without a slash (<c>find_path</c> in keepalived/core/notify.c, after
/// glibc's execvpe): each <c>PATH</c> entry in order, the first regular file with an execute bit wins; without
/// <c>PATH</c> it searches <c>confstr(_CS_PATH)</c>, which is <c>/bin:/usr/bin</c> on glibc. keepalived logs the
/// result and runs it. cloudcore-lb wants the absolute path in the file, so the importer writes the result out; the
/// config check uses it to find the file a notify command runs. Public because both assemblies need the same search.
/// </summary>
public static class CommandPath
{
    private const string ConfstrPath = "/bin:/usr/bin";

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The absolute path <paramref name="name"/> resolves to on <paramref name="path"/>, or null.</summary>
    /// <remarks>
    /// Relative and empty entries (the working directory, to execvpe) are skipped: they resolve against wherever the
    /// import runs, not where the daemon runs, and the runtime refuses a relative script path anyway.
    /// </remarks>
    public static string? Find(string name, string? path)
    {
        if (name.Length == 0 || name.Contains('/'))
        {
            return null;
        }

        foreach (var directory in (path ?? ConfstrPath).Split(':'))
        {
            if (!directory.StartsWith('/'))
            {
                continue;
            }

            var candidate = Path.Join(directory, name);
            try
            {
                var info = new FileInfo(candidate);
                if (info.Exists && (info.UnixFileMode & AnyExecute) != 0)
                {
                    return candidate;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable directory is skipped, as execvpe goes on after EACCES.
            }
        }

        return null;
    }
}
