using System.Text;
using System.Text.RegularExpressions;

namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// keepalived.conf lexer following keepalived's <c>lib/parser.c</c> (<c>read_line</c>, <c>decomment</c>,
/// <c>alloc_strvec_r</c>): <c>!</c> and <c>#</c> comments except inside double quotes, braces split into their own
/// logical lines, <c>include</c> with globs relative to the including file. Parameters (<c>$NAME</c>), conditionals
/// (<c>@id</c>) and line replication (<c>~SEQ</c>) are reported as unsupported rather than guessed.
/// </summary>
internal sealed partial class KeepalivedLexer(ImportDiagnostics diagnostics, Func<string, string> readFile)
{
    // keepalived's line buffer; a longer line is dropped with "line too long - ignoring".
    private const int MaxLineLength = 1024;
    private const int MaxIncludeDepth = 16;

    private readonly Stack<string> _including = new();

    public static KeepalivedLexer ForFiles(ImportDiagnostics diagnostics) => new(diagnostics, ReadFileOrThrow);

    public List<KeepalivedLine> Read(string file)
    {
        var lines = new List<KeepalivedLine>();
        ReadInto(file, readFile(file), lines);
        return lines;
    }

    public List<KeepalivedLine> ReadText(string file, string text)
    {
        var lines = new List<KeepalivedLine>();
        ReadInto(file, text, lines);
        return lines;
    }

    private static string ReadFileOrThrow(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(file, 0, $"cannot read: {ex.Message}");
        }
    }

    private void ReadInto(string file, string text, List<KeepalivedLine> output)
    {
        _including.Push(Path.GetFullPath(file));
        var number = 0;
        foreach (var physical in text.Split('\n'))
        {
            number++;
            var line = physical.TrimEnd('\r');
            if (line.Length > MaxLineLength)
            {
                diagnostics.Warn(file, number, $"line longer than {MaxLineLength} bytes; keepalived ignores it, so it is not imported");
                continue;
            }

            var text1 = Decomment(line).Trim();
            if (text1.Length == 0)
            {
                continue;
            }

            if (text1[0] == '@')
            {
                diagnostics.Warn(file, number, "conditional lines (@id ...) are not supported; line skipped (put per-node values under 'nodes:' instead)");
                continue;
            }

            if (ParameterDefinition().IsMatch(text1))
            {
                diagnostics.Warn(file, number, "parameter definitions ($NAME=value) are not supported; line skipped");
                continue;
            }

            if (text1[0] == '~')
            {
                diagnostics.Warn(file, number, "line replication (~SEQ/~LST) is not supported; line skipped");
                continue;
            }

            var firstWord = text1.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
            if (firstWord is "include" or "includer" or "includem" or "includew" or "includeb" or "includea")
            {
                Include(file, number, text1[firstWord.Length..].Trim(), output);
                continue;
            }

            if (ParameterUse().IsMatch(text1))
            {
                diagnostics.Warn(file, number, "$NAME parameter substitution is not supported; the text is imported literally");
            }

            foreach (var segment in SplitBraces(text1))
            {
                output.Add(new KeepalivedLine(file, number, Tokenize(segment, file, number), segment));
            }
        }

        _including.Pop();
    }

    /// <summary>Cuts the line at the first <c>#</c> or <c>!</c> outside double quotes; <c>\#</c>/<c>\!</c> are literal.</summary>
    internal static string Decomment(string line)
    {
        var sb = new StringBuilder(line.Length);
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '\\' && i + 1 < line.Length && line[i + 1] is '#' or '!')
            {
                sb.Append(line[++i]);
                continue;
            }
            else if (!quoted && c is '#' or '!')
            {
                break;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary><c>a b { c d } e</c> reads as <c>a b</c>, <c>{</c>, <c>c d</c>, <c>}</c>, <c>e</c>.</summary>
    internal static IEnumerable<string> SplitBraces(string line)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '{' or '}')
            {
                var before = line[start..i].Trim();
                if (before.Length > 0)
                {
                    yield return before;
                }

                yield return c.ToString();
                start = i + 1;
            }
        }

        var rest = line[start..].Trim();
        if (rest.Length > 0)
        {
            yield return rest;
        }
    }

    /// <summary>Splits on whitespace; a double-quoted part is one word without its quotes and joins adjacent text.</summary>
    internal List<string> Tokenize(string segment, string file, int line)
    {
        var words = new WordAccumulator();
        var quoted = false;
        foreach (var c in segment)
        {
            if (c == '"')
            {
                quoted = !quoted;
                words.StartWord();
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                words.Flush();
            }
            else
            {
                words.Append(c);
            }
        }

        if (quoted)
        {
            diagnostics.Warn(file, line, "unterminated double quote; the rest of the line is one word");
        }

        return words.Finish();
    }

    private void Include(string file, int line, string argument, List<KeepalivedLine> output)
    {
        var pattern = argument.Trim('"');
        if (pattern.Length == 0)
        {
            diagnostics.Warn(file, line, "include without a file name; ignored");
            return;
        }

        if (_including.Count >= MaxIncludeDepth)
        {
            throw new ImportException(file, line, $"include nesting deeper than {MaxIncludeDepth} (an include loop?)");
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? "/";
        var matches = IncludeGlob.Expand(pattern, baseDirectory);
        if (matches.Count == 0)
        {
            // keepalived carries on without the file, which is exactly how settings go missing unnoticed.
            diagnostics.Warn(file, line, $"include '{pattern}' matches no file; keepalived ignores it too");
            return;
        }

        foreach (var match in matches)
        {
            if (_including.Contains(Path.GetFullPath(match)))
            {
                throw new ImportException(file, line, $"'{match}' includes itself (include loop)");
            }

            ReadInto(match, readFile(match), output);
        }
    }

    [GeneratedRegex(@"^\$[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex ParameterDefinition();

    [GeneratedRegex(@"\$\{?[A-Za-z_]")]
    private static partial Regex ParameterUse();
}
