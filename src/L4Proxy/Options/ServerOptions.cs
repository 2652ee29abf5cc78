using System.Net;
using CloudCoreLb.HealthCheck;

namespace CloudCoreLb.L4Proxy.Options;

/// <summary>One server of a backend (haproxy <c>server</c>). Unset check fields inherit <see cref="BackendOptions.Health"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>Name, unique in its backend. <remarks>Required.</remarks></summary>
    public string Name { get; set; } = "";

    /// <summary>Address and port to connect to. <remarks>Required.</remarks></summary>
    public IPEndPoint? EndPoint { get; set; }

    /// <summary>Relative weight, 0-256; 0 takes no new traffic. <remarks>Defaults to 1.</remarks></summary>
    public int Weight { get; set; } = 1;

    /// <summary>
    /// Used only when no active server is up (the first usable backup, as haproxy without <c>allbackups</c>).
    /// <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool Backup { get; set; }

    /// <summary>
    /// Run an active TCP connect check. Without it the server is always considered up (haproxy semantics).
    /// <remarks>Defaults to true (haproxy defaults to off; every server in the seed has <c>check</c>).</remarks>
    /// </summary>
    public bool Check { get; set; } = true;

    /// <summary>
    /// Stable identity for consistent hashing. <remarks>Defaults to null: the host address when servers are grouped
    /// by host, else "address:port".</remarks>
    /// </summary>
    public string? HashKey { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.Inter"/>.</summary>
    public TimeSpan? Inter { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.FastInter"/>.</summary>
    public TimeSpan? FastInter { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.DownInter"/>.</summary>
    public TimeSpan? DownInter { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.Rise"/>.</summary>
    public int? Rise { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.Fall"/>.</summary>
    public int? Fall { get; set; }

    /// <summary>Overrides <see cref="ServerHealthDefaults.InitialState"/>.</summary>
    public HealthInitialState? InitialState { get; set; }
}
