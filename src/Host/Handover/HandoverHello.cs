using System.Text.Json.Serialization;

namespace CloudCoreLb.Host.Handover;

/// <summary>The new process's first frame: who it is and which state format it reads.</summary>
internal sealed record HandoverHello(string Version, int Format, int Pid);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HandoverHello))]
internal sealed partial class HelloJsonContext : JsonSerializerContext;
