namespace CloudCoreLb.Import.Haproxy;

/// <summary>What the parser knows about keywords it does not carry over: process settings, logging options, server setting arities.</summary>
internal sealed partial class HaproxyParser
{
    // Process settings systemd and journald take over; reported once per file as a note.
    private static readonly HashSet<string> Operational =
        ["log", "chroot", "pidfile", "user", "group", "uid", "gid", "daemon", "master-worker", "nbproc", "nbthread", "cpu-map", "ulimit-n", "log-send-hostname", "log-tag"];

    private static readonly HashSet<string> LoggingOptions = ["tcplog", "dontlognull", "httplog", "log-health-checks", "logasap", "dontlog-normal", "log-separate-errors"];

    private static readonly Dictionary<string, int> ServerKeywordArity = new(StringComparer.Ordinal)
    {
        ["maxconn"] = 1, ["maxqueue"] = 1, ["minconn"] = 1, ["slowstart"] = 1, ["observe"] = 1, ["on-error"] = 1,
        ["error-limit"] = 1, ["track"] = 1, ["id"] = 1, ["hash-key"] = 1, ["addr"] = 1, ["source"] = 1,
        ["agent-port"] = 1, ["agent-inter"] = 1, ["agent-send"] = 1, ["agent-addr"] = 1, ["crt"] = 1, ["ca-file"] = 1,
        ["sni"] = 1, ["cookie"] = 1, ["resolvers"] = 1, ["resolve-prefer"] = 1, ["on-marked-up"] = 1, ["proto"] = 1,
        ["alpn"] = 1, ["verify"] = 1, ["pool-max-conn"] = 1, ["pool-purge-delay"] = 1, ["check-sni"] = 1,
        ["namespace"] = 1, ["redir"] = 1, ["ciphers"] = 1, ["max-reuse"] = 1,
    };
}
