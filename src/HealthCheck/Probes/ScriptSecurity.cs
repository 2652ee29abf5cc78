using System.Text;
using Tmds.Linux;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Decides whether a tracked script is safe to run, in the spirit of keepalived's <c>enable_script_security</c>
/// (docs/design/vrrp.md §8) but loud: keepalived silently disables an insecure, missing or non-executable script and the
/// instance runs on without health tracking; here every problem is an error the config check reports.
/// </summary>
public static class ScriptSecurity
{
    // <sys/stat.h> values, fixed by the Linux ABI.
    private const uint S_IFMT = 0xF000;
    private const uint S_IFREG = 0x8000;
    private const uint S_IXUSR = 0x40;
    private const uint S_IWGRP = 0x10;
    private const uint S_IXGRP = 0x8;
    private const uint S_IWOTH = 0x2;
    private const uint S_IXOTH = 0x1;
    private const uint S_ISVTX = 0x200;

    /// <summary>
    /// Checks <paramref name="path"/> for running as <paramref name="runAs"/> (null = root): the file exists, is a
    /// regular file (symlinks resolved), is executable by that user, and neither it nor any parent directory is
    /// writable by group or others or owned by anyone but root or that user (either would let someone else change
    /// what root, or the run-as user, executes).
    /// </summary>
    /// <returns>The problems found, each a full sentence naming the path; empty when the script is acceptable.</returns>
    public static IReadOnlyList<string> Validate(string path, UnixAccount? runAs)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<string>();
        var who = runAs is null ? "root" : $"'{runAs.UserName}' (uid {runAs.Uid})";
        var uid = runAs?.Uid ?? 0;

        // The file APIs throw ArgumentException on a NUL; a YAML "\0" escape puts one in (found by fuzzing).
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"script '{path.Replace("\0", "\\0", StringComparison.Ordinal)}': the path contains a NUL character");
            return errors;
        }

        if (!Path.IsPathFullyQualified(path))
        {
            errors.Add($"script '{path}': the path must be absolute");
            return errors;
        }

        string real;
        try
        {
            real = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            errors.Add($"script '{path}': file not found");
            return errors;
        }
        catch (IOException ex)
        {
            errors.Add($"script '{path}': cannot resolve it: {ex.Message}");
            return errors;
        }

        if (!TryStat(real, out var mode, out var owner))
        {
            errors.Add($"script '{path}': file not found");
            return errors;
        }

        var shown = real == path ? $"script '{path}'" : $"script '{path}' (-> '{real}')";
        if ((mode & S_IFMT) != S_IFREG)
        {
            errors.Add($"{shown} is not a regular file");
            return errors;
        }

        var executable = uid == 0
            ? (mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0
            : owner == uid ? (mode & S_IXUSR) != 0 : (mode & S_IXOTH) != 0 || (mode & S_IXGRP) != 0;
        if (!executable)
        {
            errors.Add($"{shown} is not executable by {who} (mode {Octal(mode)})");
        }

        CheckWriteAndOwner(shown, mode, owner, uid, who, errors);

        // The directories of the link as well as of its target: whoever can replace the link picks the script.
        var directories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in (string[])[real, Path.GetFullPath(path)])
        {
            for (var dir = Path.GetDirectoryName(start); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                directories.Add(dir);
            }
        }

        foreach (var dir in directories)
        {
            if (!TryStat(dir, out var dirMode, out var dirOwner))
            {
                errors.Add($"directory '{dir}' of script '{path}' cannot be read");
                continue;
            }

            // A sticky directory (/tmp, mode 1777) lets others add entries but not rename or delete ours, so it
            // cannot be used to swap the script's path.
            var writable = (dirMode & S_ISVTX) != 0 ? dirMode & ~(S_IWGRP | S_IWOTH) : dirMode;
            CheckWriteAndOwner($"directory '{dir}' of script '{path}'", writable, dirOwner, uid, who, errors);
        }

        return errors;
    }

    private static void CheckWriteAndOwner(string what, uint mode, uint owner, uint uid, string who, List<string> errors)
    {
        if ((mode & (S_IWGRP | S_IWOTH)) != 0)
        {
            errors.Add($"{what} is writable by group or others (mode {Octal(mode)})");
        }

        if (owner != 0 && owner != uid)
        {
            errors.Add($"{what} is owned by uid {owner}, not by root or {who}");
        }
    }

    private static string Octal(uint mode) => "0" + Convert.ToString(mode & 0xFFF, 8);

    private static unsafe bool TryStat(string path, out uint mode, out uint owner)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            if (LibC.stat(p, &st) != 0)
            {
                mode = 0;
                owner = 0;
                return false;
            }
        }

        mode = (uint)st.st_mode;
        owner = (uint)st.st_uid;
        return true;
    }
}
