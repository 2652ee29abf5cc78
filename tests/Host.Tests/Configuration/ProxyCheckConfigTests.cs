using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class ProxyCheckConfigTests
{
    private const string Vrrp = """
        vrrp:
          instances:
            - name: CloudCore
              interface: eth0
              virtual_router_id: 167
              priority: 100
              virtual_addresses: [ 10.10.102.242/24 ]
              track:
                - { check: serving, weight: -50 }
        checks:
          serving: { type: proxy, interval: 500ms, rise: 2, fall: 3 }
        """;

    private const string Proxy = """

        proxy:
          frontends:
            - { name: f, bind: "*:10010", backend: b }
          backends:
            - name: b
              servers:
                - { name: cc1, address: "10.10.102.11:10000" }
        """;

    [Fact]
    public void AProxyCheckReadsWithTheCommonKeys()
    {
        var config = ConfigLoader.Parse(Vrrp + Proxy, "test.yaml", "n1");
        var check = config.Checks["serving"];
        Assert.Equal("proxy", check.Type);
        var options = Assert.IsType<ProxyCheckOptions>(check.Options);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Interval);
        Assert.Equal(2, options.Rise);
        Assert.Equal(3, options.Fall);
        Assert.Equal(-50, Assert.Single(Assert.Single(config.VrrpInstances).Tracks).Weight);
    }

    [Fact]
    public void AProxyCheckWithoutAProxySectionIsAnErrorAtTheCheck()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Vrrp, "test.yaml", "n1"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("checks.serving", error.Key);
        Assert.Contains("needs a proxy: section", error.Message, StringComparison.Ordinal);
        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void AProxyCheckTakesNoTargetKeys()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Vrrp.Replace("type: proxy,", "type: proxy, port: 10000,", StringComparison.Ordinal) + Proxy, "test.yaml", "n1"));
        Assert.Contains(ex.Errors, e => e.Key == "checks.serving.port" && e.Message.StartsWith("unknown key", StringComparison.Ordinal));
    }
}
