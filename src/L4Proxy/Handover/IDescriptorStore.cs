namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>
/// Somewhere outside this process that keeps copies of descriptors across its crash: systemd's file descriptor store
/// (<c>FDSTORE=1</c>) in production. Calls come from event-loop threads and must not block them.
/// </summary>
public interface IDescriptorStore
{
    /// <summary>Keeps copies of <paramref name="fds"/> under <paramref name="name"/>; the caller's descriptors stay its own.</summary>
    void Store(string name, ReadOnlySpan<int> fds);

    /// <summary>Drops every copy kept under <paramref name="name"/>.</summary>
    void Remove(string name);
}
