using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>One UDP frontend's state for status output and metrics.</summary>
/// <param name="Frontend">Frontend name.</param>
/// <param name="EndPoint">Bound address.</param>
/// <param name="Backend">Backend new flows go to.</param>
/// <param name="Flows">Flows in its table now.</param>
/// <param name="MaxFlows">Its flow limit.</param>
/// <param name="Counters">Flows as sessions (active, total) and bytes.</param>
/// <param name="Datagrams">Datagrams, redispatches and drops by reason.</param>
public sealed record UdpFrontendStatus(string Frontend, IPEndPoint EndPoint, string Backend, int Flows, int MaxFlows, Counters.FrontendCounters Counters, Counters.UdpCounters Datagrams);
