using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class VrrpStrictModeTests
{
    private static string Config(bool strict, string extra) => $"""
        vrrp:
          strict: {(strict ? "true" : "false")}
          instances:
            - name: CloudCore
              interface: eth0
              virtual_router_id: 167
              virtual_addresses: [ 10.10.102.242/24 ]
        {extra}
        """;

    private static IReadOnlyList<ConfigError> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml", "master1")).Errors;

    [Fact]
    public void PassAuthenticationIsAnErrorAtItsKey()
    {
        var error = Assert.Single(Errors(Config(strict: true, "      authentication: { type: pass, password: \"1111\" }")));

        Assert.Equal(8, error.Line);
        Assert.Equal("vrrp.instances[0].authentication", error.Key);
        Assert.Contains("forbids authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnicastPeersAreAnErrorEvenWhenTheListNamesOnlyThisNode()
    {
        var error = Assert.Single(Errors(Config(strict: true, "      unicast: { source: 10.0.0.1, peers: [ 10.0.0.2 ] }")));

        Assert.Equal("vrrp.instances[0].unicast", error.Key);
        Assert.Contains("forbids unicast", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBrokenRuleIsReported() =>
        Assert.Equal(2, Errors(Config(strict: true, "      authentication: { type: pass, password: \"1111\" }\n      unicast: { peers: [ 10.0.0.2 ] }")).Count);

    [Fact]
    public void TheSameInstanceIsAcceptedWithoutStrict()
    {
        var config = ConfigLoader.Parse(Config(strict: false, "      authentication: { type: pass, password: \"1111\" }\n      unicast: { peers: [ 10.0.0.2 ] }"), "test.yaml", "master1");

        Assert.True(Assert.Single(config.VrrpInstances).Options.IsUnicast);
    }

    [Fact]
    public void AStrictInstanceWithinTheRulesIsAccepted() =>
        Assert.Single(ConfigLoader.Parse(Config(strict: true, ""), "test.yaml", "master1").VrrpInstances);
}
