using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudCoreLb.Import.Conversion;

/// <summary>
/// Spots health scripts that a native check does better. The KubeEdge HA guide's <c>netstat -nlp | grep 10000 | wc -l</c>:
/// grep matches the digits anywhere on the line (100001, an address, a PID), so a native <c>listener</c> check on the
/// exact port is suggested. keepalived's own samples' connect tests (<c>&lt;/dev/tcp/127.0.0.1/80</c>, which needs
/// bash as /bin/sh, <c>bash -c '&lt;/dev/tcp/…'</c>, <c>nc -z HOST PORT</c>): the native <c>tcp</c> check connects
/// the same way without a process.
/// </summary>
internal static partial class ScriptAdvisor
{
    /// <summary>The <c>ip:port</c> a connect-test command line connects to, or null when it is not one.</summary>
    public static string? ConnectTarget(IReadOnlyList<string> argv)
    {
        var (host, port) = argv switch
        {
            [var redirect] => DevTcp(redirect),
            [var shell, "-c", var redirect] when Path.GetFileName(shell) is "bash" or "sh" => DevTcp(redirect),
            [var nc, "-z", var h, var p] when Path.GetFileName(nc) is "nc" or "ncat" or "netcat" => (h, p),
            _ => (null, null),
        };
        if (host is null || !System.Net.IPAddress.TryParse(host, out var address)
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            return null;
        }

        return new System.Net.IPEndPoint(address, number).ToString();

        static (string?, string?) DevTcp(string redirect) =>
            DevTcpRedirect().Match(redirect) is { Success: true } m ? (m.Groups["host"].Value, m.Groups["port"].Value) : (null, null);
    }

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

    [GeneratedRegex(@"^<\s*/dev/tcp/(?<host>[^/\s]+)/(?<port>\d{1,5})$")]
    private static partial Regex DevTcpRedirect();

    [GeneratedRegex(@"\b(?:netstat|ss)\b[^|\n]*\|\s*grep\s+(?:-\S+\s+)*['""]?:?(?<port>\d{1,5})\b")]
    private static partial Regex NetstatGrep();
}
