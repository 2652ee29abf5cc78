using System.Collections.Frozen;

namespace CloudCoreLb.Host.Status;

/// <summary>
/// The status page's files (HTML, script, style sheet), embedded in the assembly: the binary is the whole
/// installation, and nothing on disk can be swapped under a running daemon.
/// </summary>
internal static class StatusPage
{
    /// <summary>The asset behind <c>/status</c>.</summary>
    public const string PagePath = "/status.html";

    private static readonly FrozenDictionary<string, StatusPageAsset> Assets = new Dictionary<string, StatusPageAsset>(StringComparer.Ordinal)
    {
        [PagePath] = Load("status.html", "text/html; charset=utf-8"),
        ["/status.js"] = Load("status.js", "text/javascript; charset=utf-8"),
        ["/status.css"] = Load("status.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The asset served at <paramref name="path"/>, or null.</summary>
    public static StatusPageAsset? Find(string path) => Assets.GetValueOrDefault(path);

    private static StatusPageAsset Load(string name, string contentType)
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream($"CloudCoreLb.Host.Status.Page.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new StatusPageAsset(contentType, copy.ToArray());
    }
}
