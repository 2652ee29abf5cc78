using System.Net;
using CloudCoreLb.Vrrp.Tests.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Router;

public sealed class VrrpInstanceOptionsValidatorTests
{
    public static TheoryData<string, string> InvalidCases => new()
    {
        { "vrid 0", "virtual router id" },
        { "priority 0", "priority must be 1-255" },
        { "interval 1.5 s", "whole number of seconds" },
        { "interval 0", "whole number of seconds" },
        { "interval 256 s", "whole number of seconds" },
        { "PASS without password", "needs a password" },
        { "AH", "not supported for sending" },
        { "no VIP", "at least one virtual address" },
        { "IPv6 VIP", "one address family per instance" },
        { "prefix 33", "invalid prefix length" },
        { "duplicate VIP", "must be distinct" },
        { "unicast group", "is not an IPv4 multicast address" },
        { "down timer 0", "down timer adverts" },
        { "preempt delay 1001 s", "preempt delay" },
        { "negative GARP repeat", "GARP repeat" },
        { "negative GARP delay", "GARP lower-priority delay" },
        { "label too long", "longer than 15 characters" },
    };

    [Fact]
    public void SeedOptions_AreValid() => Assert.Empty(VrrpInstanceOptionsValidator.Validate(SeedOptions.Create()));

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void InvalidOption_IsReportedWithAClearMessage(string name, string expected)
    {
        var options = SeedOptions.Create();
        Func<VrrpInstanceOptions, VrrpInstanceOptions> mutate = name switch
        {
            "vrid 0" => o => o with { VirtualRouterId = 0 },
            "priority 0" => o => o with { Priority = 0 },
            "interval 1.5 s" => o => o with { AdvertInterval = TimeSpan.FromSeconds(1.5) },
            "interval 0" => o => o with { AdvertInterval = TimeSpan.Zero },
            "interval 256 s" => o => o with { AdvertInterval = TimeSpan.FromSeconds(256) },
            "PASS without password" => o => o with { AuthPassword = null },
            "AH" => o => o with { AuthType = VrrpAuthType.IpAuthenticationHeader },
            "no VIP" => o => o with { VirtualAddresses = [] },
            "IPv6 VIP" => o => o with { VirtualAddresses = o.VirtualAddresses.Add(new VirtualAddress(IPAddress.IPv6Loopback, 128)) },
            "prefix 33" => o => o with { VirtualAddresses = [new VirtualAddress(SeedOptions.Vip, 33)] },
            "duplicate VIP" => o => o with { VirtualAddresses = o.VirtualAddresses.Add(new VirtualAddress(SeedOptions.Vip, 32)) },
            "unicast group" => o => o with { MulticastGroup = IPAddress.Parse("10.0.0.1") },
            "down timer 0" => o => o with { DownTimerAdverts = 0 },
            "preempt delay 1001 s" => o => o with { PreemptDelay = TimeSpan.FromSeconds(1001) },
            "negative GARP repeat" => o => o with { GarpMasterRepeat = -1 },
            "negative GARP delay" => o => o with { GarpLowerPriorityDelay = TimeSpan.FromSeconds(-1) },
            "label too long" => o => o with { AddressLabel = "eth0:vip-too-long" },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        options = mutate(options);

        var errors = VrrpInstanceOptionsValidator.Validate(options);

        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void RouterConstructor_RejectsInvalidOptionsListingEveryProblem()
    {
        var network = new TestDoubles.InMemoryVrrpNetwork();

        var error = Assert.Throws<ArgumentException>(() => network.AddRouter("10.10.102.10", 100, o => o with { VirtualRouterId = 0, Priority = 0 }));

        Assert.Contains("virtual router id", error.Message, StringComparison.Ordinal);
        Assert.Contains("priority must be", error.Message, StringComparison.Ordinal);
    }
}
