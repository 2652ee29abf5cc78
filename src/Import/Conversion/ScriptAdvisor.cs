using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudCoreLb.Import.Conversion;

/// <summary>
/// Spots the KubeEdge HA guide's health script, <c>netstat -nlp | grep 10000 | wc -l</c>: grep matches the digits
/// anywhere on the line (100001, an address, a PID), so a native <c>listener</c> check on the exact port is suggested.
/// </summary>
internal static partial class ScriptAdvisor
{
    public static IReadOnlyList<int> GreppedListenerPorts(string scriptText)
    {
        var ports = new List<int>();
        foreach (Match match in NetstatGrep().Matches(scriptText))
        {
            if (int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535 && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    [GeneratedRegex(@"\b(?:netstat|ss)\b[^|\n]*\|\s*grep\s+(?:-\S+\s+)*['""]?:?(?<port>\d{1,5})\b")]
    private static partial Regex NetstatGrep();
}
