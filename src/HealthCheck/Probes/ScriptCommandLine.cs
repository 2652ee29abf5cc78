using System.Globalization;
using System.Text;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Splits a keepalived <c>script</c> line into argv (docs/design/vrrp.md §10): whitespace separates words; <c>"..."</c> and
/// <c>'...'</c> group, and adjacent quoted and unquoted parts join into one word (<c>a"b c"'d'</c> is <c>ab cd</c>);
/// outside single quotes a backslash escapes: <c>\a \b \E \f \n \r \t \v \\ \" \' \xHH \NNN</c> (octal), any other
/// character stands for itself. Single quotes keep everything literal, as in the shell.
/// </summary>
/// <remarks>
/// Public because the importer (CloudCoreLb.Import) must read a keepalived <c>script</c> exactly as the runtime will
/// run it: the path it resolves, reads for advice or rewrites is <see cref="Split(string)"/>'s first word, never a second
/// opinion.
/// </remarks>
public static class ScriptCommandLine
{
    /// <summary>Splits <paramref name="commandLine"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static string[] Split(string commandLine) => Split(commandLine, decodeEscapes: true);

    /// <summary>
    /// keepalived's first pass over a whole <c>script</c> or <c>notify_*</c> line (<c>alloc_strvec_quoted</c>): the
    /// words and quotes of <see cref="Split(string)"/>, but each escape stays as written (the backslash and the character after
    /// it), so the word holding the command line reaches <see cref="Split(string)"/> intact: in <c>script "/bin/echo \"a b\""</c>
    /// word 1 is <c>/bin/echo \"a b\"</c>. Throws <see cref="FormatException"/> like <see cref="Split(string)"/>.
    /// </summary>
    public static string[] SplitKeepingEscapes(string line) => Split(line, decodeEscapes: false);

    /// <summary>
    /// The command line that <see cref="Split(string)"/> reads back as <paramref name="argv"/>: plain words stay as they are, a
    /// word with whitespace, quotes or backslashes is single-quoted, or double-quoted with escapes if it holds a
    /// single quote. Words with shell operators (<c>&lt; &gt; | &amp; ; $ `</c>) are quoted too: nothing here runs a
    /// shell, and the quotes keep a person from reading one into the line.
    /// </summary>
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    private static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '\\' or '"' or '\'' or '<' or '>' or '|' or '&' or ';' or '$' or '`'))
        {
            return word;
        }

        return word.Contains('\'') ? "\"" + word.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : $"'{word}'";
    }

    private static string[] Split(string commandLine, bool decodeEscapes)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < commandLine.Length)
        {
            var c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            inWord = true;
            switch (c)
            {
                case '\'':
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"unterminated single quote at position {i} in '{commandLine}'");
                    }

                    word.Append(commandLine, i + 1, close - i - 1);
                    i = close + 1;
                    break;
                case '"':
                    i++;
                    while (true)
                    {
                        if (i >= commandLine.Length)
                        {
                            throw new FormatException($"unterminated double quote in '{commandLine}'");
                        }

                        if (commandLine[i] == '"')
                        {
                            i++;
                            break;
                        }

                        i = commandLine[i] == '\\' ? Backslash(commandLine, i, word, decodeEscapes) : Append(commandLine, i, word);
                    }

                    break;
                case '\\':
                    i = Backslash(commandLine, i, word, decodeEscapes);
                    break;
                default:
                    word.Append(c);
                    i++;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        if (words.Count == 0)
        {
            throw new FormatException("the script command line is empty");
        }

        return [.. words];
    }

    private static int Backslash(string s, int i, StringBuilder word, bool decode) => decode ? Escape(s, i, word) : Keep(s, i, word);

    /// <summary>Copies the escape starting at the backslash <c>s[i]</c> as written; returns the index after it.</summary>
    private static int Keep(string s, int i, StringBuilder word)
    {
        var length = Math.Min(2, s.Length - i);
        word.Append(s, i, length);
        return i + length;
    }

    private static int Append(string s, int i, StringBuilder word)
    {
        word.Append(s[i]);
        return i + 1;
    }

    /// <summary>Decodes the escape starting at the backslash <c>s[i]</c>; returns the index after it.</summary>
    private static int Escape(string s, int i, StringBuilder word)
    {
        if (i + 1 >= s.Length)
        {
            word.Append('\\');
            return i + 1;
        }

        var c = s[i + 1];
        switch (c)
        {
            case 'a': word.Append('\a'); return i + 2;
            case 'b': word.Append('\b'); return i + 2;
            case 'E': word.Append('\u001b'); return i + 2;
            case 'f': word.Append('\f'); return i + 2;
            case 'n': word.Append('\n'); return i + 2;
            case 'r': word.Append('\r'); return i + 2;
            case 't': word.Append('\t'); return i + 2;
            case 'v': word.Append('\v'); return i + 2;
            case 'x':
                var hex = 0;
                while (hex < 2 && i + 2 + hex < s.Length && char.IsAsciiHexDigit(s[i + 2 + hex]))
                {
                    hex++;
                }

                if (hex == 0)
                {
                    word.Append('x');
                    return i + 2;
                }

                word.Append((char)int.Parse(s.AsSpan(i + 2, hex), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                return i + 2 + hex;
            case >= '0' and <= '7':
                var value = 0;
                var digits = 0;
                while (digits < 3 && i + 1 + digits < s.Length && s[i + 1 + digits] is >= '0' and <= '7')
                {
                    value = (value * 8) + (s[i + 1 + digits] - '0');
                    digits++;
                }

                word.Append((char)(value & 0xFF));
                return i + 1 + digits;
            default:
                word.Append(c); // \\ \" \' \<space> and anything else: the character itself
                return i + 2;
        }
    }
}
