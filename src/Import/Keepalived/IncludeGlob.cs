using System.Text;
using System.Text.RegularExpressions;

namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// The glob keepalived applies to <c>include</c> (glob(3) with GLOB_BRACE): <c>*</c>, <c>?</c>, <c>[...]</c> per path
/// segment and csh-style <c>{a,b}</c>; relative patterns start from the including file's directory; sorted results.
/// </summary>
internal static class IncludeGlob
{
    public static List<string> Expand(string pattern, string baseDirectory)
    {
        var results = new List<string>();
        foreach (var alternative in ExpandBraces(pattern))
        {
            var full = Path.IsPathRooted(alternative) ? alternative : Path.Combine(baseDirectory, alternative);
            var matches = new List<string>();
            Walk("/", full.Split('/', StringSplitOptions.RemoveEmptyEntries), 0, matches);
            matches.Sort(StringComparer.Ordinal);
            results.AddRange(matches.Where(m => !results.Contains(m)));
        }

        return results;
    }

    internal static IEnumerable<string> ExpandBraces(string pattern)
    {
        var open = pattern.IndexOf('{');
        var close = open < 0 ? -1 : pattern.IndexOf('}', open);
        if (close < 0)
        {
            yield return pattern;
            yield break;
        }

        foreach (var choice in pattern[(open + 1)..close].Split(','))
        {
            foreach (var expanded in ExpandBraces(pattern[..open] + choice + pattern[(close + 1)..]))
            {
                yield return expanded;
            }
        }
    }

    private static void Walk(string directory, string[] segments, int index, List<string> matches)
    {
        var segment = segments[index];
        var last = index == segments.Length - 1;
        IEnumerable<string> candidates;
        if (segment.IndexOfAny(['*', '?', '[']) < 0)
        {
            candidates = [Path.Combine(directory, segment)];
        }
        else
        {
            if (!Directory.Exists(directory))
            {
                return;
            }

            var regex = ToRegex(segment);
            candidates = Directory.EnumerateFileSystemEntries(directory)
                .Where(p => regex.IsMatch(Path.GetFileName(p)) && !Path.GetFileName(p).StartsWith('.'));
        }

        foreach (var candidate in candidates)
        {
            if (last)
            {
                if (File.Exists(candidate))
                {
                    matches.Add(candidate);
                }
            }
            else if (Directory.Exists(candidate))
            {
                Walk(candidate, segments, index + 1, matches);
            }
        }
    }

    private static Regex ToRegex(string segment)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var end = segment.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }

                    var set = segment[(i + 1)..end];
                    sb.Append('[').Append(set.StartsWith('!') ? "^" + set[1..] : set).Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
