using System.Globalization;

namespace CloudCoreLb.Import.Haproxy;

/// <summary>haproxy time values (configuration.txt §2.5): an integer with an optional unit, <b>milliseconds by default</b>.</summary>
internal static class HaproxyTime
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        long? ticksPerUnit = text[digits..] switch
        {
            "" or "ms" => TimeSpan.TicksPerMillisecond,
            "us" => TimeSpan.TicksPerMicrosecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => null,
        };
        if (ticksPerUnit is not { } unit || n > TimeSpan.MaxValue.Ticks / unit)
        {
            return false;
        }

        value = TimeSpan.FromTicks(n * unit);
        return true;
    }
}
