namespace CloudCoreLb.Host.Handover;

/// <summary>The messages of the upgrade channel (docs/design/upgrade.md), in the order they are exchanged.</summary>
internal enum HandoverFrameType
{
    /// <summary>New → old: the new process is up, its configuration is valid; payload: its version and state formats.</summary>
    Hello = 1,

    /// <summary>
    /// New → old: the new process has started everything it can without the state (threads, checks, VRRP sockets);
    /// the old one freezes now and sends it, so the freeze lasts only as long as the adoption itself.
    /// </summary>
    SendState = 7,

    /// <summary>Old → new: the sealed memfd with the state description; payload: how many descriptors follow.</summary>
    State = 2,

    /// <summary>Old → new: up to <see cref="HandoverChannel.MaxDescriptorsPerFrame"/> descriptors, in index order.</summary>
    Descriptors = 3,

    /// <summary>New → old: everything validated and prepared; the new process waits for <see cref="Commit"/>.</summary>
    Ready = 4,

    /// <summary>Either way: the upgrade is off; payload: why, for the operator.</summary>
    Refuse = 5,

    /// <summary>
    /// Old → new: the old process has let go; the new one serves from now on. Payload: where each VRRP instance
    /// resumes (frozen only now, so adverts kept their schedule while the proxy was handed over).
    /// </summary>
    Commit = 6,
}
