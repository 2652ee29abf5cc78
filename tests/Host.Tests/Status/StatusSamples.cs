using CloudCoreLb.Host.Status;

namespace CloudCoreLb.Host.Tests.Status;

/// <summary>A status document with one of everything, and a name that is markup (names come from the config file).</summary>
internal static class StatusSamples
{
    public static DaemonStatus WithEverything() => new(
        "1.2.3", "master1", "/etc/cloudcore-lb/cloudcore-lb.yaml", new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero), 4242, 2,
        new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero),
        [new VrrpInstanceStatus("CloudCore", "eth0", 167, "Master", 100, 95, "10.10.102.11", 95, null, ["10.10.102.242/24"],
            [new TrackedCheckView("proxy_can_serve", -5, "Down", -5)], 120, 3, new Dictionary<string, long> { ["AuthFailed"] = 2 },
            new TransitionView("Backup", "Master", "MasterDownTimerExpired", "no advert for 3.6 s", new DateTimeOffset(2026, 12, 7, 11, 0, 4, TimeSpan.Zero)))],
        [new FrontendStatusView("<script>alert(1)</script>", "0.0.0.0:10010", "http_10000_back", 3, 40, 3000)],
        [new ServerStatusView("http_10000_back", "cc1", "10.10.102.11:10000", true, true, false, "L4OK", 3, 40, 1)]);
}
