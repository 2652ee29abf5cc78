namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>The listening socket of a frontend, as an index into <see cref="ProxyHandover.Descriptors"/>.</summary>
public sealed record ListenerHandover(string Frontend, int Fd);
