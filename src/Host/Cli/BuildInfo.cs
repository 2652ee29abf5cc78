using System.Reflection;

namespace CloudCoreLb.Host.Cli;

/// <summary>Version information; the version comes from the repository's VERSION file at build time.</summary>
internal static class BuildInfo
{
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "unknown";
}
