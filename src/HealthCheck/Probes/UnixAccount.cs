using System.Globalization;
using System.Runtime.InteropServices;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// A user (and group) a script runs as, resolved through NSS (<c>getpwnam(3)</c>, <c>getgrnam(3)</c>) so LDAP or
/// systemd-userdb accounts work like local ones. Numeric ids are accepted as they are.
/// </summary>
/// <param name="UserName">The name given (or the numeric id as text).</param>
/// <param name="Uid">User id.</param>
/// <param name="Gid">Group id: the named group, else the user's primary group.</param>
public sealed partial record UnixAccount(string UserName, uint Uid, uint Gid)
{
    // getpwnam/getgrnam return pointers into static storage; one caller at a time.
    private static readonly Lock Gate = new();

    /// <summary>Resolves <paramref name="user"/> and optional <paramref name="group"/>; throws with a clear message.</summary>
    public static UnixAccount Resolve(string user, string? group = null)
    {
        if (!TryResolve(user, group, out var account, out var error))
        {
            throw new ArgumentException(error, nameof(user));
        }

        return account;
    }

    /// <summary>Resolves <paramref name="user"/> and optional <paramref name="group"/>.</summary>
    public static bool TryResolve(string user, string? group, out UnixAccount account, out string error)
    {
        account = null!;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(user))
        {
            error = "user name is empty";
            return false;
        }

        uint uid;
        uint gid;
        lock (Gate)
        {
            var pw = getpwnam(user);
            if (pw != IntPtr.Zero)
            {
                // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... }
                uid = (uint)Marshal.ReadInt32(pw, 2 * IntPtr.Size);
                gid = (uint)Marshal.ReadInt32(pw, (2 * IntPtr.Size) + 4);
            }
            else if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
            {
                gid = uid;
            }
            else
            {
                error = $"unknown user '{user}'";
                return false;
            }

            if (group is not null)
            {
                var gr = getgrnam(group);
                if (gr != IntPtr.Zero)
                {
                    // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
                    gid = (uint)Marshal.ReadInt32(gr, 2 * IntPtr.Size);
                }
                else if (!uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
                {
                    error = $"unknown group '{group}'";
                    return false;
                }
            }
        }

        account = new UnixAccount(user, uid, gid);
        return true;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getpwnam(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getgrnam(string name);
}
