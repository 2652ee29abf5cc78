using System.Net;

namespace CloudCoreLb.Vrrp;

/// <summary>How a planned handover (<see cref="VrrpInstanceHandle.HandOverAsync"/>) ended.</summary>
/// <param name="TookOver">True when another router's advert arrived and this one stepped down to (held) backup.</param>
/// <param name="NewMaster">The address the successor advertised from, when it took over.</param>
/// <param name="Detail">What happened, for the operator: who took over, or why this node is still (or no longer) master.</param>
public sealed record VrrpHandoverOutcome(bool TookOver, IPAddress? NewMaster, string Detail);
