using System.Globalization;

namespace CloudCoreLb.HealthCheck;

/// <summary>Parses and prints durations such as <c>200ms</c>, <c>1s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>.</summary>
/// <remarks>
/// The configuration's one duration syntax (check intervals and timeouts, proxy timeouts). Public because two
/// assemblies speak it: the config loader in the daemon reads it and the importer (CloudCoreLb.Import) writes it.
/// </remarks>
public static class DurationParser
{
    /// <summary>Reads a non-negative number followed by a unit (<c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>).</summary>
    /// <returns><see langword="false"/> for a missing unit, a sign, or anything that is not a number.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var (unit, factorMs) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => ("ms", 1.0),
            _ when text.EndsWith("us", StringComparison.Ordinal) => ("us", 0.001),
            _ when text.EndsWith('s') => ("s", 1000.0),
            _ when text.EndsWith('m') => ("m", 60_000.0),
            _ when text.EndsWith('h') => ("h", 3_600_000.0),
            _ => ("", 0.0),
        };
        if (unit.Length == 0)
        {
            return false;
        }

        var number = text[..^unit.Length];
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n < 0)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(n * factorMs * TimeSpan.TicksPerMillisecond));
        return true;
    }

    /// <summary>Writes <paramref name="value"/> in the largest unit that holds it whole, so it reads back exactly.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { Ticks: 0 } => "0s",
        _ when value.Ticks % TimeSpan.TicksPerHour == 0 => $"{value.Ticks / TimeSpan.TicksPerHour}h",
        _ when value.Ticks % TimeSpan.TicksPerMinute == 0 => $"{value.Ticks / TimeSpan.TicksPerMinute}m",
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => $"{value.Ticks / TimeSpan.TicksPerSecond}s",
        _ => $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
    };
}
