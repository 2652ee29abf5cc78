using System.Text.Json;

namespace CloudCoreLb.Host.Status;

/// <summary>
/// The one serialization of <see cref="DaemonStatus"/>: <c>status --json</c> (control socket) and <c>/status.json</c>
/// (metrics listener) both print exactly this, so a dashboard and a script never disagree on a field.
/// </summary>
internal static class StatusJson
{
    public static string Serialize(DaemonStatus status) => JsonSerializer.Serialize(status, StatusJsonContext.Default.DaemonStatus) + "\n";
}
