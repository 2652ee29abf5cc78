using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>One frontend's state for status output and metrics.</summary>
/// <param name="Frontend">Frontend name.</param>
/// <param name="EndPoint">Bound address (the real port when configured with 0).</param>
/// <param name="Backend">Backend new sessions go to.</param>
/// <param name="MaxConnections">Frontend limit.</param>
/// <param name="Counters">Live counters.</param>
public sealed record FrontendStatus(string Frontend, IPEndPoint EndPoint, string Backend, int MaxConnections, Counters.FrontendCounters Counters);
