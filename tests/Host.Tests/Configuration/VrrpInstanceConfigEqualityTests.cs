using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

/// <summary>A reload keeps an instance whose configuration is equal: equality is what decides it.</summary>
public sealed class VrrpInstanceConfigEqualityTests
{
    private const string Config = """
        checks:
          cloudcore: { type: listener, port: 10000, interval: 200ms }
        vrrp:
          instances:
            - name: CloudCore
              virtual_router_id: 167
              virtual_addresses: [ 10.10.102.242/24 ]
              track: [ { check: cloudcore, weight: 0 } ]
              nodes: { master1: { priority: 100 }, master2: { priority: 99 } }
        """;

    private static VrrpInstanceConfig Of(string yaml, string node = "master1") => ConfigLoader.Parse(yaml, "x.yaml", node).VrrpInstances[0];

    [Fact]
    public void TheSameFileGivesAnEqualInstanceSoAReloadKeepsIt() => Assert.Equal(Of(Config), Of(Config));

    [Fact]
    public void AnotherNodesPriorityDoesNotChangeThisNodesInstance() =>
        Assert.Equal(Of(Config), Of(Config.Replace("priority: 99", "priority: 98", StringComparison.Ordinal)));

    [Theory]
    [InlineData("priority: 100", "priority: 101")]
    [InlineData("10.10.102.242/24", "10.10.102.243/24")]
    [InlineData("interval: 200ms", "interval: 300ms")]
    [InlineData("weight: 0", "weight: -5")]
    [InlineData("port: 10000", "port: 10001")]
    public void AChangeThatMattersToThisInstanceMakesItUnequal(string from, string to) =>
        Assert.NotEqual(Of(Config), Of(Config.Replace(from, to, StringComparison.Ordinal)));
}
