using System.Text;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// A copy of the daemon built next to the tests whose version stamp differs: what a package upgrade puts on disk,
/// without a second build (minutes on a loaded CI runner). Only the informational version of
/// <c>cloudcore-lb.dll</c> changes — the custom attribute's string, rewritten in place with one of the same length,
/// so no metadata offset moves — and that is where the daemon reads its version (BuildInfo).
/// </summary>
internal static class RestampedBuild
{
    /// <summary>Copies the build into <paramref name="directory"/>; returns the path of its <c>cloudcore-lb</c>.</summary>
    public static string Copy(string directory)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(AppContext.BaseDirectory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }

        return Path.Combine(directory, "cloudcore-lb");
    }

    /// <summary>
    /// Writes the build's <c>cloudcore-lb.dll</c> with <paramref name="current"/> (the version it reports) replaced by
    /// <paramref name="next"/> in its informational version to <paramref name="path"/>.
    /// </summary>
    public static void WriteRestampedAssembly(string path, string current, string next)
    {
        if (current.Length != next.Length)
        {
            throw new ArgumentException($"'{next}' must be as long as '{current}': the stamp is rewritten in place", nameof(next));
        }

        var assembly = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "cloudcore-lb.dll"));
        var from = Encoding.UTF8.GetBytes(current);
        var found = 0;
        // A custom attribute blob (ECMA-335 §II.23.3): prolog 0x0001, then the string's compressed length (one byte
        // below 128), then UTF-8. The informational version is the version, alone or followed by '+commit'.
        for (var i = 3; i + from.Length <= assembly.Length; i++)
        {
            var length = assembly[i - 1];
            if (assembly[i - 3] == 0x01 && assembly[i - 2] == 0x00 && length >= from.Length && length < 128 && i + length <= assembly.Length
                && assembly.AsSpan(i, from.Length).SequenceEqual(from) && (length == from.Length || assembly[i + from.Length] == (byte)'+'))
            {
                Encoding.UTF8.GetBytes(next).CopyTo(assembly, i);
                found++;
            }
        }

        if (found != 1)
        {
            throw new InvalidOperationException($"expected one informational version '{current}' in cloudcore-lb.dll, found {found}");
        }

        File.WriteAllBytes(path, assembly);
    }
}
