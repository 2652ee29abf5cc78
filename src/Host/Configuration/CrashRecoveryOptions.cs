namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// The <c>crash_recovery:</c> section (docs/design/upgrade.md, "Crash recovery"): under systemd, listeners and
/// long-lived sessions are kept in the service's file descriptor store and VIPs are leased, so a daemon restarted
/// after a crash resumes both instead of dropping every session and moving the VIP twice.
/// </summary>
internal sealed record CrashRecoveryOptions
{
    /// <summary>
    /// Whether to store descriptors and lease VIPs. Only takes effect under systemd (NOTIFY_SOCKET set) with
    /// <c>FileDescriptorStoreMax=</c> in the unit. <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Age from which an established session is stored (two descriptors and a journal slot); shorter sessions pay
    /// nothing. <remarks>Defaults to 2 s.</remarks>
    /// </summary>
    public TimeSpan SessionAge { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Sessions the journal has room for; more are not stored (and would not survive a crash). Two descriptors each
    /// must fit in the unit's <c>FileDescriptorStoreMax=</c>. <remarks>Defaults to 65,000.</remarks>
    /// </summary>
    public int MaxSessions { get; init; } = 65_000;
}
