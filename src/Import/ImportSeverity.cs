namespace CloudCoreLb.Import;

/// <summary>How much an operator should care about an import diagnostic.</summary>
public enum ImportSeverity
{
    /// <summary>Operational detail handled elsewhere (systemd, journald); nothing is lost.</summary>
    Note,

    /// <summary>Something in the input is not carried over, or keepalived/haproxy would silently ignore it.</summary>
    Warning,
}
