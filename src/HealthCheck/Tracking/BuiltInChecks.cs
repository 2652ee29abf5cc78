using CloudCoreLb.HealthCheck.Collections;

namespace CloudCoreLb.HealthCheck.Tracking;

/// <summary>
/// Ready-made native checks for what the seed's <c>health_check.sh</c> meant (<c>netstat -nlp | grep 10000</c> and
/// <c>grep 10010</c>, docs/design/kubeedge.md §4): no script, no fork, exact port match, and intervals well below a second
/// because a check is one read of <c>/proc/net/tcp{,6}</c>.
/// </summary>
public static class BuiltInChecks
{
    /// <summary>Name of <see cref="CloudCoreListening"/>.</summary>
    public const string CloudCoreListeningName = "cloudcore-listening";

    /// <summary>Name of <see cref="FrontendsListening"/>.</summary>
    public const string FrontendsListeningName = "frontends-listening";

    /// <summary>The seed's frontends (haproxy.cfg binds).</summary>
    public static readonly IReadOnlyList<int> SeedFrontendPorts = [10010, 10012, 10013, 10014];

    /// <summary>
    /// "CloudCore is listening locally on its hub port." Keeps the seed's weight -5 (a node whose own CloudCore is
    /// gone yields the VIP to a peer but can still serve, since the proxy balances over every master) with its
    /// fall 3 / rise 5, but at 200 ms: down after about 0.6 s instead of 4-6 s, up again after about 1 s instead of
    /// 10 s.
    /// </summary>
    /// <param name="port">CloudCore's port. <remarks>Defaults to 10000 (cloudhub WebSocket).</remarks></param>
    /// <param name="interval">Check interval. <remarks>Defaults to 200 ms.</remarks></param>
    /// <param name="weight">Priority weight. <remarks>Defaults to -5 (the seed).</remarks></param>
    public static ListenerCheckOptions CloudCoreListening(int port = 10000, TimeSpan? interval = null, int weight = -5) => new()
    {
        Name = CloudCoreListeningName,
        Ports = [port],
        Interval = interval ?? TimeSpan.FromMilliseconds(200),
        Weight = weight,
        Fall = 3,
        Rise = 5,
    };

    /// <summary>
    /// "Our own frontends are listening." Weight 0: a node that cannot accept edge traffic must not hold the VIP at
    /// all (FAULT), and it stays in FAULT from start until its listeners are up (keepalived's weight-0 INIT rule).
    /// Rise 1 so a freshly started node becomes eligible at once; fall 2 to ride out a reload's rebind.
    /// </summary>
    /// <param name="ports">Frontend ports. <remarks>Defaults to <see cref="SeedFrontendPorts"/>.</remarks></param>
    /// <param name="interval">Check interval. <remarks>Defaults to 200 ms.</remarks></param>
    public static ListenerCheckOptions FrontendsListening(IReadOnlyList<int>? ports = null, TimeSpan? interval = null) => new()
    {
        Name = FrontendsListeningName,
        Ports = (ports ?? SeedFrontendPorts).ToValueList(),
        Interval = interval ?? TimeSpan.FromMilliseconds(200),
        Weight = 0,
        Fall = 2,
        Rise = 1,
    };
}
