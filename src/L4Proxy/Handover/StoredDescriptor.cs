namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>A descriptor a restarted process got back from the <see cref="IDescriptorStore"/>, with the name it was stored under.</summary>
public sealed record StoredDescriptor(string Name, int Fd);
