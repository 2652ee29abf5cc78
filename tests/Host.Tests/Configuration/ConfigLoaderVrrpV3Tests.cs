using System.Net;
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
    public void ABadVersion3ValueIsRejectedAtItsKeyAndLine(string from, string to, string key, string message) =>
        AssertRejectedAt(V3.Replace(from, to, StringComparison.Ordinal), key, message);

    private static void AssertRejectedAt(string yaml, string key, string message)
    {
        var e = ErrorAt(yaml, $"vrrp.instances[0].{key}");

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
        Assert.Contains("test.yaml", e.ToString(), StringComparison.Ordinal);
    }

    private const string V6 = """
        vrrp:
          instances:
            - name: CloudCore6
              version: 3
              interface: eth0
              virtual_router_id: 168
              advert_int: 100ms
              virtual_addresses: [ fd00:102::242/64, fd00:102::243 ]
              nodes:
                master1: { priority: 100 }
                master2: { priority: 99 }
        """;

    [Fact]
    public void AVersion3InstanceWithIPv6Vips_IsAnIPv6InstanceOnFf02_12_AndABarePrefixIs128()
    {
        var o = Assert.Single(Parse(V6).VrrpInstances).Options;

        Assert.True(o.IsIPv6);
        Assert.Equal(IPAddress.Parse("ff02::12"), o.AdvertGroup);
        Assert.Equal([64, 128], o.VirtualAddresses.Select(v => v.PrefixLength));
    }

    [Fact]
    public void MulticastGroup6_ChangesTheGroupOfAnIPv6Instance()
    {
        var o = Parse(V6.Replace("interface: eth0", "interface: eth0\n      multicast_group6: ff02::112", StringComparison.Ordinal)).VrrpInstances[0].Options;

        Assert.Equal(IPAddress.Parse("ff02::112"), o.AdvertGroup);
    }

    [Fact]
    public void AnIPv4And_AnIPv6InstanceMayShareAVirtualRouterIdOnOneInterface()
    {
        var yaml = V6 + """

                - name: CloudCore4
                  version: 3
                  interface: eth0
                  virtual_router_id: 168
                  virtual_addresses: [ 10.10.102.242/24 ]
            """;

        Assert.Equal(2, Parse(yaml).VrrpInstances.Count);
    }

    [Theory]
    [InlineData("version: 3", "version: 2", "virtual_addresses[0]", "needs version 3: VRRPv2 is IPv4 only")]
    [InlineData("fd00:102::243", "10.10.102.243", "virtual_addresses[1]", "one address family per instance")]
    [InlineData("fd00:102::243", "fd00:102::243/129", "virtual_addresses[1]", "IPv6 address with an optional /prefix (1-128)")]
    [InlineData("fd00:102::243", "ff02::1", "virtual_addresses[1]", "a unicast IPv6 address is needed")]
    [InlineData("interface: eth0", "interface: eth0\n      multicast_group6: fd00::1", "multicast_group6", "not an IPv6 multicast address")]
    [InlineData("interface: eth0", "interface: eth0\n      unicast: { peers: [ 10.0.0.2 ] }", "unicast.peers", "unicast is not supported for IPv6 instances yet")]
    public void ABadIPv6InstanceIsRejectedAtItsKeyAndLine(string from, string to, string key, string message) =>
        AssertRejectedAt(V6.Replace(from, to, StringComparison.Ordinal), key, message);
}
