using System.Text.Json.Serialization;

namespace CloudCoreLb.Host.Handover;

/// <summary>The new process's first frame: who it is and which state formats it reads.</summary>
/// <param name="Version">The new binary's version.</param>
/// <param name="Format">
/// The oldest state format it reads: a format-1 build reads only this field and hands over only when it is 1, so a
/// newer build that still reads format 1 takes over from a format-1 build.
/// </param>
/// <param name="Pid">Its process id.</param>
/// <param name="Formats">Every format it reads, from format 2 on; the old process writes the newest it knows too.</param>
internal sealed record HandoverHello(string Version, int Format, int Pid, IReadOnlyList<int>? Formats = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HandoverHello))]
internal sealed partial class HelloJsonContext : JsonSerializerContext;
