namespace CloudCoreLb.Import.Haproxy;

/// <summary>
/// A <c>defaults</c>, <c>frontend</c>, <c>backend</c> or <c>listen</c> section with its settings already resolved
/// against the defaults section it inherits from (haproxy copies the defaults when the section starts).
/// </summary>
internal sealed class HaproxyProxy(HaproxySectionKind kind, string name, string file, int line)
{
    public HaproxySectionKind Kind { get; } = kind;

    public string Name { get; } = name;

    public string File { get; } = file;

    public int Line { get; } = line;

    public string Mode { get; set; } = "tcp";

    public string? Balance { get; set; }

    public int BalanceLine { get; set; }

    public string? HashType { get; set; }

    public int? MaxConn { get; set; }

    public int? Backlog { get; set; }

    public int? Retries { get; set; }

    public bool Redispatch { get; set; }

    public string? DefaultBackend { get; set; }

    /// <summary>haproxy timeout name (<c>client</c>, <c>server-fin</c>, ...) to value.</summary>
    public Dictionary<string, TimeSpan> Timeouts { get; } = new(StringComparer.Ordinal);

    public HaproxyServer DefaultServer { get; set; } = new();

    public List<(string Address, int Line)> Binds { get; } = [];

    public List<HaproxyServer> Servers { get; } = [];

    public bool IsFrontend => Kind is HaproxySectionKind.Frontend or HaproxySectionKind.Listen;

    public bool IsBackend => Kind is HaproxySectionKind.Backend or HaproxySectionKind.Listen;

    /// <summary>Starts this section from a defaults section's values.</summary>
    public void InheritFrom(HaproxyProxy defaults)
    {
        Mode = defaults.Mode;
        Balance = defaults.Balance;
        BalanceLine = defaults.BalanceLine;
        HashType = defaults.HashType;
        MaxConn = defaults.MaxConn;
        Backlog = defaults.Backlog;
        Retries = defaults.Retries;
        Redispatch = defaults.Redispatch;
        DefaultBackend = defaults.DefaultBackend;
        foreach (var (key, value) in defaults.Timeouts)
        {
            Timeouts[key] = value;
        }

        DefaultServer = defaults.DefaultServer with { };
    }
}
