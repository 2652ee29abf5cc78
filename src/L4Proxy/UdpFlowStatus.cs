using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>One flow of a UDP frontend, for <c>status</c>.</summary>
/// <param name="Frontend">Frontend name.</param>
/// <param name="Client">The client's address and port (the flow's key).</param>
/// <param name="Backend">Backend of its server, null while it has none (between a refusal and its next datagram).</param>
/// <param name="Server">Name of the server it goes to now, or null.</param>
/// <param name="Idle">Time since its last datagram either way.</param>
public sealed record UdpFlowStatus(string Frontend, IPEndPoint Client, string? Backend, string? Server, TimeSpan Idle);

/// <summary>The flows of the UDP frontends: at most the requested number per frontend, and how many each holds.</summary>
/// <param name="Flows">Flows listed, per frontend the most recently active first.</param>
/// <param name="Totals">Flows each frontend holds (more than listed when its list was cut).</param>
public sealed record UdpFlowList(IReadOnlyList<UdpFlowStatus> Flows, IReadOnlyDictionary<string, int> Totals);
