using System.Net;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class ConfigLoaderVrrpIPv6Tests
{
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

    private static CloudCoreLbConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "test.yaml", "master1");

    private static ConfigError ErrorAt(string yaml, string key) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Parse(yaml)).Errors, e => e.Key == key);

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
    public void ABadIPv6InstanceIsRejectedAtItsKeyAndLine(string from, string to, string key, string message)
    {
        var e = ErrorAt(V6.Replace(from, to, StringComparison.Ordinal), $"vrrp.instances[0].{key}");

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
    }
}
