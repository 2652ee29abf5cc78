using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class ConfigLoaderVrrpV3Tests
{
    private const string V3 = """
        vrrp:
          instances:
            - name: CloudCore
              version: 3
              interface: eth0
              virtual_router_id: 167
              advert_int: 100ms
              virtual_addresses: [ 10.10.102.242/24 ]
              nodes:
                master1: { priority: 100 }
                master2: { priority: 99 }
        """;

    private static CloudCoreLbConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "test.yaml", "master1");

    private static ConfigError ErrorAt(string yaml, string key) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Parse(yaml)).Errors, e => e.Key == key);

    [Fact]
    public void AVersion3InstanceReadsItsCentisecondInterval()
    {
        var o = Assert.Single(Parse(V3).VrrpInstances).Options;

        Assert.Equal(3, o.Version);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.AdvertInterval);
        Assert.True(o.AcceptMode);
    }

    [Theory]
    [InlineData("0.1", 100)]
    [InlineData("1", 1000)]
    [InlineData("0.05", 50)]
    [InlineData("1.5s", 1500)]
    public void AVersion3IntervalMayBeWrittenAsKeepalivedWritesIt(string written, int milliseconds)
    {
        var o = Parse(V3.Replace("advert_int: 100ms", $"advert_int: {written}", StringComparison.Ordinal)).VrrpInstances[0].Options;

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), o.AdvertInterval);
    }

    [Fact]
    public void TheVersionDefaultsTo2()
    {
        var o = Parse(V3.Replace("version: 3", "version: 2", StringComparison.Ordinal).Replace("100ms", "1s", StringComparison.Ordinal)).VrrpInstances[0].Options;

        Assert.Equal(2, o.Version);
        Assert.Equal(2, Parse(V3.Replace("      version: 3\n", "", StringComparison.Ordinal).Replace("100ms", "1s", StringComparison.Ordinal)).VrrpInstances[0].Options.Version);
    }

    [Theory]
    [InlineData("version: 3", "version: 2", "advert_int", "whole number of seconds, 1-255 (VRRPv2)")]
    [InlineData("version: 3", "version: 4", "version", "4 is out of range 2..3")]
    [InlineData("advert_int: 100ms", "advert_int: 105ms", "advert_int", "a multiple of 10ms")]
    [InlineData("advert_int: 100ms", "advert_int: 5ms", "advert_int", "out of range 0.01s..40.95s")]
    [InlineData("advert_int: 100ms", "advert_int: 41", "advert_int", "out of range 0.01s..40.95s")]
    [InlineData("interface: eth0", "interface: eth0\n      accept_mode: false", "accept_mode", "accept_mode false is not supported")]
    [InlineData("interface: eth0", "interface: eth0\n      authentication: { type: pass, password: \"1111\" }", "authentication.type", "VRRPv3 has no authentication")]
    public void ABadVersion3ValueIsRejectedAtItsKeyAndLine(string from, string to, string key, string message)
    {
        var e = ErrorAt(V3.Replace(from, to, StringComparison.Ordinal), $"vrrp.instances[0].{key}");

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
        Assert.Contains("test.yaml", e.ToString(), StringComparison.Ordinal);
    }
}
