namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>keepalived's numbers for advert_int 1 (docs/design/vrrp.md §4), spelled out rather than computed by the code under test.</summary>
internal static class Timing
{
    public static readonly TimeSpan Latency = TestDoubles.InMemoryVrrpNetwork.Latency;

    public static readonly TimeSpan MasterDown100 = Us(3_609_375);

    public static readonly TimeSpan MasterDown99 = Us(3_613_281);

    public static readonly TimeSpan MasterDown98 = Us(3_617_187);

    public static readonly TimeSpan Skew99 = Us(613_281);

    public static readonly TimeSpan Skew95 = Us(628_906);

    public static TimeSpan Us(long microseconds) => TimeSpan.FromMicroseconds(microseconds);

    public static TimeSpan S(double seconds) => TimeSpan.FromMilliseconds(seconds * 1000);
}
