using System.Text.Json.Serialization;

namespace CloudCoreLb.Host.Handover;

/// <summary>The new process's first frame: who it is and which state formats it reads.</summary>
/// <param name="Version">The new binary's version.</param>
/// <param name="Format">The newest state format it reads (all a format-1 build says).</param>
/// <param name="Pid">Its process id.</param>
/// <param name="Formats">Every format it reads, from format 2 on; the old process writes the newest it knows too.</param>
internal sealed record HandoverHello(string Version, int Format, int Pid, IReadOnlyList<int>? Formats = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HandoverHello))]
internal sealed partial class HelloJsonContext : JsonSerializerContext;
