using System.Text;
using System.Text.RegularExpressions;

namespace CloudCoreLb.Import.Conversion;

/// <summary>
/// A small block-style YAML writer with comments: the importer's output is read and edited by people, so the order
/// is stable, nested values of one line use flow style (<c>{ a: 1 }</c>), and strings are quoted only when needed.
/// </summary>
internal sealed partial class YamlEmitter
{
    private readonly StringBuilder _text = new();
    private int _indent;
    private bool _itemPending;

    public override string ToString() => _text.ToString();

    public void Comment(string comment)
    {
        foreach (var line in comment.Split('\n'))
        {
            WriteLine(line.Length == 0 ? "#" : "# " + Printable(line));
        }
    }

    /// <summary><c>key: value</c>, with <paramref name="value"/> already formatted (see <see cref="Str"/>).</summary>
    public void Value(string key, string value, string? comment = null) =>
        WriteLine(comment is null ? $"{key}: {value}" : $"{key}: {value}  # {Printable(comment)}");

    public void Value(string key, int value, string? comment = null) => Value(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture), comment);

    public void Value(string key, bool value, string? comment = null) => Value(key, value ? "true" : "false", comment);

    /// <summary><c>key:</c> followed by an indented block.</summary>
    public IDisposable Block(string key, string? comment = null)
    {
        WriteLine(comment is null ? $"{key}:" : $"{key}:  # {Printable(comment)}");
        _indent += 2;
        return new Scope(this, 2);
    }

    /// <summary>A sequence entry; the first line written inside gets the <c>- </c>.</summary>
    public IDisposable Item()
    {
        _itemPending = true;
        _indent += 2;
        return new Scope(this, 2);
    }

    /// <summary>A sequence entry on one line: <c>- { a: 1, b: 2 }</c> or <c>- scalar</c>.</summary>
    public void ItemLine(string value, string? comment = null)
    {
        WriteLine(comment is null ? $"- {value}" : $"- {value}  # {Printable(comment)}");
    }

    public static string Flow(IEnumerable<(string Key, string Value)> pairs) =>
        "{ " + string.Join(", ", pairs.Select(p => $"{p.Key}: {p.Value}")) + " }";

    public static string FlowList(IEnumerable<string> items) => "[ " + string.Join(", ", items) + " ]";

    /// <summary>A string scalar, double-quoted unless it is plainly safe and cannot be read as another type.</summary>
    public static string Str(string value)
    {
        if (Plain().IsMatch(value) && !Reserved().IsMatch(value))
        {
            return value;
        }

        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ when IsYamlBreakOrNonPrintable(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    // Comments quote input words (haproxy's 'balance x'): a control character or a YAML line break (NEL, LS, PS) in
    // one would end the comment early or make the whole file unreadable, so they are written as escapes.
    private static string Printable(string comment)
    {
        if (!comment.Any(c => char.IsControl(c) || IsYamlBreakOrNonPrintable(c)))
        {
            return comment;
        }

        var sb = new StringBuilder(comment.Length + 8);
        foreach (var c in comment)
        {
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : IsYamlBreakOrNonPrintable(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return sb.ToString();
    }

    // Outside YAML's printable set (YAML 1.2 §5.1) or read as a line break by YAML 1.1 readers (§5.4).
    private static bool IsYamlBreakOrNonPrintable(char c) => c is '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF';

    private void WriteLine(string line)
    {
        if (_itemPending)
        {
            _text.Append(' ', _indent - 2).Append("- ").Append(line).Append('\n');
            _itemPending = false;
            return;
        }

        _text.Append(' ', _indent).Append(line).Append('\n');
    }

    // Starts with a letter, digit, '/' or '.', and has no character YAML gives a meaning to (': ', ' #', flow indicators);
    // nor ends with ':', which reads as a key ("name: VI_1:" is a syntax error).
    [GeneratedRegex(@"^[A-Za-z0-9_/.][A-Za-z0-9_./:@+=-]*(?<!:)$")]
    private static partial Regex Plain();

    // Words and numbers a YAML 1.1/1.2 reader would turn into bools, nulls or numbers.
    [GeneratedRegex(@"^(?i:y|n|yes|no|true|false|on|off|null|~)$|^[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?$|^[-+]?\.[0-9]|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$|^0[xXoObB]|^\.(?i:inf|nan)$")]
    private static partial Regex Reserved();

    private sealed class Scope(YamlEmitter owner, int width) : IDisposable
    {
        public void Dispose() => owner._indent -= width;
    }
}
