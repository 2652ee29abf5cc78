namespace CloudCoreLb.Host.Import;

/// <summary>How much an operator should care about an import diagnostic.</summary>
internal enum ImportSeverity
{
    /// <summary>Operational detail handled elsewhere (systemd, journald); nothing is lost.</summary>
    Note,

    /// <summary>Something in the input is not carried over, or keepalived/haproxy would silently ignore it.</summary>
    Warning,
}
