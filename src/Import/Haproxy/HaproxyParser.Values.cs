using System.Globalization;

namespace CloudCoreLb.Import.Haproxy;

/// <summary>A statement's words coerced into values; misplaced or extra words are warnings, as haproxy's own.</summary>
internal sealed partial class HaproxyParser
{
    /// <summary>haproxy ignores (with a warning) settings in a section type that has no use for them.</summary>
    private void Place(HaproxyProxy proxy, HaproxyLine line, bool backend)
    {
        var ok = proxy.Kind == HaproxySectionKind.Defaults || (backend ? proxy.IsBackend : proxy.IsFrontend);
        if (!ok)
        {
            Warn(line, $"'{line.Keyword}' has no effect in a {proxy.Kind.ToString().ToLowerInvariant()} section; ignored");
        }
    }

    private int? Integer(HaproxyLine line, int min, int max)
    {
        if (line.Words.Count >= 2 && int.TryParse(line.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            if (line.Words.Count > 2)
            {
                Warn(line, $"unexpected words '{string.Join(' ', line.Words.Skip(2))}'; ignored");
            }

            return n;
        }

        Warn(line, $"'{line.Keyword}' needs a number in {min}..{max}; ignored");
        return null;
    }

    private void ExpectNoArgs(HaproxyLine line)
    {
        if (line.Words.Count > 1)
        {
            Warn(line, $"unexpected words '{string.Join(' ', line.Words.Skip(1))}' after '{line.Keyword}'; ignored");
        }
    }

    private void Warn(HaproxyLine line, string message) => diagnostics.Warn(line.File, line.Line, message);
}
