namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>
/// Everything the proxy hands to the process that replaces it: listeners, sessions and server health, with the
/// descriptors they refer to. Produced by <see cref="ProxyRuntime.FreezeAsync"/>; adopted by
/// <see cref="ProxyRuntime.AdoptAsync"/> and <see cref="ProxyRuntime.CompleteAdoption"/>.
/// </summary>
/// <param name="Listeners">One per frontend.</param>
/// <param name="Sessions">Every open session.</param>
/// <param name="Servers">Check verdicts of checked servers.</param>
/// <param name="Descriptors">The descriptors, in index order (in the receiving process: its own numbers).</param>
public sealed record ProxyHandover(
    IReadOnlyList<ListenerHandover> Listeners,
    IReadOnlyList<SessionHandover> Sessions,
    IReadOnlyList<ServerHandover> Servers,
    IReadOnlyList<int> Descriptors);
