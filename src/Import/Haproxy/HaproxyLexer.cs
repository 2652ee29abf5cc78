using System.Globalization;

namespace CloudCoreLb.Import.Haproxy;

/// <summary>
/// haproxy.cfg lexer (configuration.txt §2.2): one statement per line, <c>#</c> comments unless escaped or quoted,
/// backslash escapes outside single quotes, single quotes strong, double quotes weak, adjacent quoted parts joined.
/// Environment variables (expanded by haproxy inside double quotes) and <c>.if</c> blocks are reported, not evaluated.
/// </summary>
internal sealed class HaproxyLexer(ImportDiagnostics diagnostics)
{
    public List<HaproxyLine> Read(string file, string text)
    {
        var lines = new List<HaproxyLine>();
        var number = 0;
        foreach (var physical in text.Split('\n'))
        {
            number++;
            var words = Tokenize(physical.TrimEnd('\r'), file, number);
            if (words.Count == 0)
            {
                continue;
            }

            if (words[0].StartsWith('.'))
            {
                diagnostics.Warn(file, number, $"'{words[0]}' conditional/diagnostic directives are not evaluated; every branch is imported");
                continue;
            }

            lines.Add(new HaproxyLine(file, number, words));
        }

        return lines;
    }

    internal List<string> Tokenize(string line, string file, int number)
    {
        var words = new WordAccumulator();
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = '\0';
                }
                else
                {
                    words.Append(c);
                }

                continue;
            }

            if (c == '\\' && i + 1 < line.Length)
            {
                i = Escape(line, i, words);
                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else
                {
                    if (c == '$')
                    {
                        diagnostics.Warn(file, number, "environment variables in double quotes are not expanded by the importer; imported literally");
                    }

                    words.Append(c);
                }

                continue;
            }

            if (c is '"' or '\'')
            {
                quote = c;
                words.StartWord();
            }
            else if (c == '#')
            {
                break;
            }
            else if (c is ' ' or '\t')
            {
                words.Flush();
            }
            else
            {
                words.Append(c);
            }
        }

        if (quote != '\0')
        {
            throw new ImportException(file, number, $"unterminated {(quote == '"' ? "double" : "single")} quote");
        }

        return words.Finish();
    }

    private static int Escape(string line, int i, WordAccumulator word)
    {
        var next = line[i + 1];
        switch (next)
        {
            case 'n':
                word.Append('\n');
                return i + 1;
            case 'r':
                word.Append('\r');
                return i + 1;
            case 't':
                word.Append('\t');
                return i + 1;
            case 'x' when i + 3 < line.Length && byte.TryParse(line.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b):
                word.Append((char)b);
                return i + 3;
            default:
                // "\ ", "\#", "\\", "\'", "\"" and anything else: the character itself.
                word.Append(next);
                return i + 1;
        }
    }
}
