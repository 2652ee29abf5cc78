namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>What <see cref="ProxyRuntime.AdoptAsync"/> did with the sessions it was handed.</summary>
/// <param name="Adopted">Sessions now served by this process.</param>
/// <param name="Refused">Sessions closed instead, by reason (an unknown frontend, backend or server, a descriptor of
/// the wrong kind).</param>
public sealed record AdoptionResult(int Adopted, IReadOnlyDictionary<string, int> Refused);
