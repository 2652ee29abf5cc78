namespace CloudCoreLb.Host.Configuration;

/// <summary>
/// keepalived's notify hooks: <c>notify_master</c>, <c>notify_backup</c>, <c>notify_fault</c>, <c>notify_stop</c> run as
/// given; the generic <c>notify</c> gets keepalived's four extra arguments (INSTANCE, name, state, priority).
/// </summary>
internal sealed record NotifyCommands(string? Master, string? Backup, string? Fault, string? Stop, string? Any)
{
    public static NotifyCommands None { get; } = new(null, null, null, null, null);

    public bool IsEmpty => Master is null && Backup is null && Fault is null && Stop is null && Any is null;
}
