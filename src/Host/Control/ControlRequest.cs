using CloudCoreLb.HealthCheck;
using CloudCoreLb.L4Proxy;

namespace CloudCoreLb.Host.Control;

/// <summary>What a control request asks for.</summary>
internal enum ControlVerb
{
    Status,
    StatusJson,
    Reload,
    Upgrade,

    /// <summary><c>server drain|maint|ready|show TARGET</c>.</summary>
    Server,

    /// <summary><c>vrrp handover|hold|release [INSTANCE]</c>.</summary>
    Vrrp,
}

/// <summary>The <c>vrrp</c> operations.</summary>
internal enum VrrpOperation
{
    Handover,
    Hold,
    Release,
}

/// <summary>
/// One parsed request line of the control socket; the only place its text is read. The protocol is one line of
/// space-separated words: <c>status</c>, <c>status-json</c>, <c>reload</c>, <c>upgrade</c>,
/// <c>server drain|maint|ready|show BACKEND/SERVER</c> or <c>server ... --host HOST</c>, and
/// <c>vrrp handover|hold|release [INSTANCE] [--timeout DURATION]</c>. Words added later are new requests, so an
/// older client keeps working.
/// </summary>
/// <param name="Verb">What is asked.</param>
/// <param name="Target">The servers of a <c>server</c> request.</param>
/// <param name="AdminState">The state a <c>server</c> request sets; null for <c>show</c>.</param>
/// <param name="Operation">The operation of a <c>vrrp</c> request.</param>
/// <param name="Instance">The instance of a <c>vrrp</c> request; null for every instance.</param>
/// <param name="Timeout">How long a handover may take; null for the default.</param>
internal sealed record ControlRequest(
    ControlVerb Verb,
    ServerTarget? Target = null,
    ServerAdminState? AdminState = null,
    VrrpOperation Operation = VrrpOperation.Handover,
    string? Instance = null,
    TimeSpan? Timeout = null)
{
    /// <summary>Longest request line read; anything longer is refused.</summary>
    public const int MaxLength = 1024;

    /// <summary>Longest handover timeout a request may ask for (the control connection's own limit is 30 s).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(25);

    private const string Expected = "expected status, status-json, reload, upgrade, server drain|maint|ready|show BACKEND/SERVER|--host HOST, or vrrp handover|hold|release [INSTANCE]";

    /// <summary>Parses one request line; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? line, out ControlRequest? request, out string error)
    {
        request = null;
        error = "";
        if (line is null || line.Length > MaxLength)
        {
            error = line is null ? "empty request" : $"request longer than {MaxLength} characters";
            return false;
        }

        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            error = $"empty request; {Expected}";
            return false;
        }

        request = words[0] switch
        {
            "status" when words.Length == 1 => new ControlRequest(ControlVerb.Status),
            "status-json" when words.Length == 1 => new ControlRequest(ControlVerb.StatusJson),
            "reload" when words.Length == 1 => new ControlRequest(ControlVerb.Reload),
            "upgrade" when words.Length == 1 => new ControlRequest(ControlVerb.Upgrade),
            "server" => ParseServer(words, out error),
            "vrrp" => ParseVrrp(words, out error),
            _ => null,
        };
        if (request is null && error.Length == 0)
        {
            error = $"unknown request '{Shorten(line)}'; {Expected}";
        }

        return request is not null;
    }

    private static ControlRequest? ParseServer(string[] words, out string error)
    {
        error = "";
        if (words.Length < 3)
        {
            error = "server needs an operation and a target: server drain|maint|ready|show BACKEND/SERVER, or --host HOST";
            return null;
        }

        ServerAdminState? state = words[1] switch
        {
            "drain" => ServerAdminState.Drain,
            "maint" => ServerAdminState.Maint,
            "ready" => ServerAdminState.Ready,
            _ => null,
        };
        if (state is null && words[1] != "show")
        {
            error = $"unknown server operation '{Shorten(words[1])}'; expected drain, maint, ready or show";
            return null;
        }

        ServerTarget target;
        if (words[2] == "--host")
        {
            if (words.Length != 4)
            {
                error = "--host needs exactly one host address or server name";
                return null;
            }

            target = ServerTarget.OfHost(words[3]);
        }
        else
        {
            var slash = words[2].IndexOf('/', StringComparison.Ordinal);
            if (words.Length != 3 || slash <= 0 || slash == words[2].Length - 1 || words[2].IndexOf('/', slash + 1) >= 0)
            {
                error = $"'{Shorten(string.Join(' ', words[2..]))}' is not BACKEND/SERVER or --host HOST";
                return null;
            }

            target = ServerTarget.One(words[2][..slash], words[2][(slash + 1)..]);
        }

        return new ControlRequest(ControlVerb.Server, target, state);
    }

    private static ControlRequest? ParseVrrp(string[] words, out string error)
    {
        error = "";
        VrrpOperation? operation = words.Length < 2 ? null : words[1] switch
        {
            "handover" => VrrpOperation.Handover,
            "hold" => VrrpOperation.Hold,
            "release" => VrrpOperation.Release,
            _ => null,
        };
        if (operation is null)
        {
            error = "vrrp needs handover, hold or release";
            return null;
        }

        string? instance = null;
        TimeSpan? timeout = null;
        for (var i = 2; i < words.Length; i++)
        {
            if (words[i] == "--timeout" && operation == VrrpOperation.Handover && timeout is null && i + 1 < words.Length)
            {
                if (!DurationParser.TryParse(words[++i], out var value) || value <= TimeSpan.Zero || value > MaxTimeout)
                {
                    error = $"--timeout '{Shorten(words[i])}' is not a duration between 0 and {DurationParser.Format(MaxTimeout)}";
                    return null;
                }

                timeout = value;
            }
            else if (instance is null && !words[i].StartsWith('-'))
            {
                instance = words[i];
            }
            else
            {
                error = $"unexpected '{Shorten(words[i])}' in vrrp {words[1]}; expected [INSTANCE]{(operation == VrrpOperation.Handover ? " [--timeout DURATION]" : "")}";
                return null;
            }
        }

        return new ControlRequest(ControlVerb.Vrrp, Operation: operation.Value, Instance: instance, Timeout: timeout);
    }

    /// <summary>Echoes at most 64 characters of what the client sent, without control characters.</summary>
    private static string Shorten(string text)
    {
        var clean = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? clean + "..." : clean;
    }

    /// <summary>The request line this request is sent as (the CLI's side).</summary>
    public override string ToString() => Verb switch
    {
        ControlVerb.Status => "status",
        ControlVerb.StatusJson => "status-json",
        ControlVerb.Reload => "reload",
        ControlVerb.Upgrade => "upgrade",
        ControlVerb.Server => $"server {AdminState?.ToString().ToLowerInvariant() ?? "show"} {(Target!.Host is { } host ? $"--host {host}" : $"{Target.Backend}/{Target.Server}")}",
        _ => string.Join(' ', new[] { "vrrp", Operation.ToString().ToLowerInvariant(), Instance, Timeout is { } t ? $"--timeout {DurationParser.Format(t)}" : null }.Where(w => w is not null)),
    };
}
