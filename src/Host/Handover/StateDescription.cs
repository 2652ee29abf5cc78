using System.Text.Json.Serialization;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// What the running process tells the one replacing it, besides the descriptors (docs/design/upgrade.md). Versioned:
/// a process refuses a <see cref="Format"/> it does not know, so an upgrade across an incompatible change is refused
/// cleanly and the old process goes on.
/// </summary>
/// <param name="Format">The state format; <see cref="CurrentFormat"/> for this build.</param>
/// <param name="Version">The old process's version string, for the log.</param>
/// <param name="Generation">How many processes served before the new one (the first is 1).</param>
/// <param name="StartedAt">When the first process of the chain started.</param>
/// <param name="TimestampFrequency">Ticks per second of the shared monotonic clock the timestamps are in.</param>
/// <param name="Descriptors">How many descriptors follow; the proxy's indices refer to them.</param>
/// <param name="Proxy">Listeners, sessions and server health; its descriptor list is empty here (sent apart).</param>
/// <param name="Totals">Upgrade counters so far, including the upgrade in progress.</param>
/// <param name="Counters">Every other counter the old process exposed (format 2; null in format 1).</param>
internal sealed record StateDescription(
    int Format,
    string Version,
    int Generation,
    DateTimeOffset StartedAt,
    long TimestampFrequency,
    int Descriptors,
    ProxyHandover? Proxy,
    HandoverTotals Totals,
    IReadOnlyList<CarriedCounter>? Counters = null)
{
    /// <summary>Bumped on every change a previous build could misread.</summary>
    public const int CurrentFormat = 2;

    /// <summary>
    /// The formats this build reads and writes: 1 is 2 without <see cref="Counters"/> (a format-1 build ignores the
    /// field), so this build still hands over to the previous one, a rollback of the package included.
    /// </summary>
    public const int OldestFormat = 1;

    /// <summary>Whether this build reads and writes <paramref name="format"/>.</summary>
    public static bool IsKnown(int format) => format is >= OldestFormat and <= CurrentFormat;

    /// <summary>
    /// The newest format both builds know, given what a successor says it reads (a format-1 build names only its own
    /// format in its hello, a newer one its oldest there and all of them in <see cref="HandoverHello.Formats"/>); null
    /// when there is none.
    /// </summary>
    public static int? Negotiate(HandoverHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var readable = hello.Formats is { Count: > 0 } formats ? formats : [hello.Format];
        return readable.Where(IsKnown).Select(f => (int?)f).Max();
    }
}

/// <summary>Source-generated JSON for the state description (the binary is AOT-compiled).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(StateDescription))]
[JsonSerializable(typeof(List<VrrpResumePoint>))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
