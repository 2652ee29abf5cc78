using System.Net;
using CloudCoreLb.Vrrp.Tests.Protocol;

namespace CloudCoreLb.Vrrp.Tests.Router;

/// <summary>What the validator says about <c>track_interface</c> entries and per-VIP <c>dev</c>.</summary>
public sealed class VrrpTrackedInterfaceValidationTests
{
    [Theory]
    [InlineData("", 0, "1 to 15 characters")]
    [InlineData("an-interface-name-too-long", 0, "1 to 15 characters")]
    [InlineData("eth1", 254, "out of range -253..253")]
    [InlineData("eth1", -254, "out of range -253..253")]
    public void BadTrackedInterface_IsReportedAtItsIndex(string name, int weight, string expected)
    {
        var options = SeedOptions.Create() with { TrackedInterfaces = [new("eth2"), new(name, weight)] };

        var error = Assert.Single(VrrpInstanceOptionsValidator.Validate(options));

        Assert.Equal((nameof(VrrpInstanceOptions.TrackedInterfaces), 1), (error.Option, error.Index));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInterfaceTrackedTwice_OrAWeightOnTheOwner_IsRefused()
    {
        var twice = SeedOptions.Create() with { TrackedInterfaces = [new("eth1"), new("eth1", -5)] };
        var owner = SeedOptions.Create(255) with { TrackedInterfaces = [new("eth1", -5), new("eth2")] };

        Assert.Contains("tracked twice", Assert.Single(VrrpInstanceOptionsValidator.Validate(twice)).Message, StringComparison.Ordinal);
        Assert.Contains("address owner", Assert.Single(VrrpInstanceOptionsValidator.Validate(owner)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVipDevice_NeedsAnInterfaceName()
    {
        var good = SeedOptions.Create() with { VirtualAddresses = [new(SeedOptions.Vip, 24, "eth1")] };
        var bad = SeedOptions.Create() with { VirtualAddresses = [new(SeedOptions.Vip, 24), new(IPAddress.Parse("10.0.0.9"), 32, "")] };

        Assert.Empty(VrrpInstanceOptionsValidator.Validate(good));
        Assert.Equal(1, Assert.Single(VrrpInstanceOptionsValidator.Validate(bad)).Index);
        Assert.Equal("10.10.102.242/24 dev eth1", good.VirtualAddresses[0].ToString());
    }
}
