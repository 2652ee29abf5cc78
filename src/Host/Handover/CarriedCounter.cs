namespace CloudCoreLb.Host.Handover;

/// <summary>
/// One counter series as the previous process exposed it at the hand-over (its own carried value included), so the
/// new process's counts go on from it instead of from zero (state format 2).
/// </summary>
/// <param name="Name">The metric name, e.g. <c>cloudcore_lb_frontend_connections_total</c>.</param>
/// <param name="Labels">The label values, in the metric's label order.</param>
/// <param name="Value">The value exposed.</param>
internal sealed record CarriedCounter(string Name, string[] Labels, double Value);
