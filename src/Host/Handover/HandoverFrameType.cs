namespace CloudCoreLb.Host.Handover;

/// <summary>The messages of the upgrade channel (docs/design/upgrade.md), in the order they are exchanged.</summary>
internal enum HandoverFrameType
{
    /// <summary>New → old: the new process is up, its configuration is valid; payload: its version and state formats.</summary>
    Hello = 1,

    /// <summary>Old → new: the sealed memfd with the state description; payload: how many descriptors follow.</summary>
    State = 2,

    /// <summary>Old → new: up to <see cref="HandoverChannel.MaxDescriptorsPerFrame"/> descriptors, in index order.</summary>
    Descriptors = 3,

    /// <summary>New → old: everything validated and prepared; the new process waits for <see cref="Commit"/>.</summary>
    Ready = 4,

    /// <summary>Either way: the upgrade is off; payload: why, for the operator.</summary>
    Refuse = 5,

    /// <summary>Old → new: the old process has let go; the new one serves from now on.</summary>
    Commit = 6,
}
