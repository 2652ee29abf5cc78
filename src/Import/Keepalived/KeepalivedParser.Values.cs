using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.Import.Keepalived;

/// <summary>A keyword's words coerced into values the way keepalived reads them; every word it would ignore is a warning.</summary>
internal sealed partial class KeepalivedParser
{
    private string? Name(KeepalivedNode node)
    {
        var name = Value(node);
        if (name is null)
        {
            Warn(node, $"{node.Keyword} needs a name; block skipped");
        }

        return name;
    }

    private List<KeepalivedNode>? Block(KeepalivedNode node)
    {
        if (node.Children is null)
        {
            Warn(node, $"'{node.Keyword}' needs a '{{' block (keepalived: \"Missing '{{'\"); skipped");
        }

        return node.Children;
    }

    /// <summary>The keyword's single argument; anything after it is what keepalived silently ignores.</summary>
    private string? Value(KeepalivedNode node, int maxArgs = 1)
    {
        var args = node.Args;
        if (args.Count == 0)
        {
            Warn(node, $"'{node.Keyword}' needs a value; ignored");
            return null;
        }

        if (args.Count > maxArgs)
        {
            Trailing(node, args.Skip(maxArgs));
        }

        return args[0];
    }

    private void Trailing(KeepalivedNode node, IEnumerable<string> ignored) =>
        Warn(node, $"keepalived ignores '{ImportDiagnostics.Mask(ignored)}' after '{ImportDiagnostics.Mask(node.Line.Words.Take(node.Line.Words.Count - ignored.Count()))}'; one keyword per line, so it is not imported either");

    private int? Integer(KeepalivedNode node, int min, int max, int maxArgs = 1)
    {
        if (Value(node, maxArgs) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Warn(node, $"{node.Keyword} '{text}' is not a number in {min}..{max}; ignored");
        return null;
    }

    private TimeSpan? Seconds(KeepalivedNode node)
    {
        if (Value(node) is not { } text)
        {
            return null;
        }

        // keepalived timers are decimal seconds with microsecond resolution.
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 100_000)
        {
            return TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond / 10) * 10);
        }

        Warn(node, $"{node.Keyword} '{text}' is not a number of seconds; ignored");
        return null;
    }

    private string? Address(KeepalivedNode node)
    {
        if (Value(node) is not { } text)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.ToString();
        }

        Warn(node, $"{node.Keyword} '{text}' is not an IPv4 address; ignored");
        return null;
    }

    private string? User(KeepalivedNode node)
    {
        if (node.Args.Count == 0)
        {
            Warn(node, $"'{node.Keyword}' needs a user name; ignored");
            return null;
        }

        if (node.Args.Count > 2)
        {
            Trailing(node, node.Args.Skip(2));
        }

        return node.Args.Count >= 2 ? $"{node.Args[0]}:{node.Args[1]}" : node.Args[0];
    }

    /// <summary>A flag alone means true; keepalived also accepts on/off, true/false, yes/no.</summary>
    private bool Flag(KeepalivedNode node)
    {
        if (node.Args.Count == 0)
        {
            return true;
        }

        if (node.Args.Count > 1)
        {
            Trailing(node, node.Args.Skip(1));
        }

        switch (node.Args[0].ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                return true;
            case "off" or "false" or "no":
                return false;
            default:
                Trailing(node, node.Args.Take(1));
                return true;
        }
    }

    /// <summary>
    /// <c>script</c> and <c>notify_*</c>: keepalived re-reads the raw line where double and single quotes group and
    /// adjacent quoted parts join, escapes kept for later; word 1 is the command line, which it then splits into argv
    /// decoding the escapes. Both passes are the runtime's own <see cref="ScriptCommandLine"/>, so the import and the
    /// daemon read the same path. notify_* may add <c>user [group]</c>.
    /// </summary>
    private string? Command(KeepalivedNode node, int extraAllowed)
    {
        string[] words;
        try
        {
            words = ScriptCommandLine.SplitKeepingEscapes(node.Line.Raw);
        }
        catch (FormatException ex)
        {
            Warn(node, $"'{node.Keyword}': {ex.Message}; keepalived refuses the line, so it is not imported");
            return null;
        }

        if (words.Length < 2)
        {
            Warn(node, $"'{node.Keyword}' needs a command; ignored");
            return null;
        }

        if (words.Length > 2)
        {
            var extra = words.Skip(2).ToList();
            if (extraAllowed > 0 && extra.Count <= extraAllowed)
            {
                Warn(node, $"{node.Keyword} run-as user '{string.Join(' ', extra)}' is not supported; the command runs as the daemon's user");
            }
            else
            {
                Trailing(node, extra);
            }
        }

        try
        {
            ScriptCommandLine.Split(words[1]);
        }
        catch (FormatException ex)
        {
            Warn(node, $"'{node.Keyword}': {ex.Message}; keepalived cannot split it into a command and ignores it, so it is not imported");
            return null;
        }

        return words[1];
    }
}
