namespace CloudCoreLb.Host.Cli;

/// <summary>
/// How to run this binary again (the guardian's <c>release-vips</c>, an upgrade's successor): the apphost or AOT
/// binary runs as is; under <c>dotnet cloudcore-lb.dll</c> (tests, development) the dll path comes first. The files
/// now on disk, which after a package upgrade are the new ones.
/// </summary>
internal static class SelfCommand
{
    /// <summary>The executable and the arguments before the command's own, or null when this binary's path is unknown.</summary>
    public static (string File, string[] Prefix)? Current { get; } = Environment.ProcessPath is { } self
        ? (self, Path.GetFileNameWithoutExtension(self) == "dotnet" ? [Path.Combine(AppContext.BaseDirectory, "cloudcore-lb.dll")] : [])
        : null;
}
