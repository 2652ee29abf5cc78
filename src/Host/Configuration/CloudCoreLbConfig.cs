namespace CloudCoreLb.Host.Configuration;

/// <summary>The whole configuration file, after validation and per-node selection.</summary>
internal sealed record CloudCoreLbConfig
{
    /// <summary>Default location, used when <c>--config</c> is not given.</summary>
    public const string DefaultPath = "/etc/cloudcore-lb/cloudcore-lb.yaml";

    public required string SourceFile { get; init; }

    /// <summary>The node name per-node overrides were selected with (the host name unless <c>--node</c> was given).</summary>
    public required string NodeName { get; init; }

    public IReadOnlyList<VrrpInstanceConfig> VrrpInstances { get; init; } = [];

    /// <summary>Instances that change state together (<c>vrrp.sync_groups</c>).</summary>
    public IReadOnlyList<VrrpSyncGroupConfig> VrrpSyncGroups { get; init; } = [];

    /// <summary>The proxy, or null when the file has no <c>proxy:</c> section.</summary>
    public CloudCoreLb.L4Proxy.Options.ProxyOptions? Proxy { get; init; }

    public MetricsOptions Metrics { get; init; } = new();

    public ControlOptions Control { get; init; } = new();

    public CrashRecoveryOptions CrashRecovery { get; init; } = new();

    /// <summary>Named checks from <c>checks:</c>.</summary>
    public IReadOnlyDictionary<string, CheckDefinition> Checks { get; init; } = new Dictionary<string, CheckDefinition>();

    /// <summary>A copy with command-line overrides applied.</summary>
    public CloudCoreLbConfig With(ControlOptions control) => this with { Control = control };
}
