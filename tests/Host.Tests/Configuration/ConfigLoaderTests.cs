using System.Net;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string Seed = """
        vrrp:
          instances:
            - name: CloudCore
              interface: eth0
              virtual_router_id: 167
              advert_int: 1s
              authentication: { type: pass, password: "1111" }
              multicast_group: 224.0.0.19
              virtual_addresses: [ 10.10.102.242/24 ]
              nodes:
                master1: { priority: 100 }
                master2: { priority: 99 }
        """;

    private static CloudCoreLbConfig Parse(string yaml, string node = "master1") => ConfigLoader.Parse(yaml, "test.yaml", node);

    private static ConfigError SingleError(string yaml)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(yaml));
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void TheSeedSetupReadsIntoOneInstanceWithTheSeedValues()
    {
        var o = Assert.Single(Parse(Seed).VrrpInstances).Options;
        Assert.Equal("CloudCore", o.Name);
        Assert.Equal("eth0", o.Interface);
        Assert.Equal(167, o.VirtualRouterId);
        Assert.Equal(100, o.Priority);
        Assert.Equal(TimeSpan.FromSeconds(1), o.AdvertInterval);
        Assert.Equal(VrrpAuthType.SimpleText, o.AuthType);
        Assert.Equal("1111", o.AuthPassword);
        Assert.Equal(IPAddress.Parse("224.0.0.19"), o.MulticastGroup);
        Assert.Equal(new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24), Assert.Single(o.VirtualAddresses));
        Assert.True(o.Preempt);
    }

    [Fact]
    public void TheProxyEngineKeys_DefaultToOneThreadPerCpuSpliceAndNoSmartConnect_AndCanBeSet()
    {
        const string Proxy = """
            proxy:
              PROXY_KEYS
              frontends:
                - { name: f, bind: "0.0.0.0:10010", backend: b }
              backends:
                - name: b
                  BACKEND_KEYS
                  servers:
                    - { name: m1, address: "10.10.102.11:10000" }
            """;

        static string With(string proxyKeys, string backendKeys) => Proxy.Replace("PROXY_KEYS", proxyKeys).Replace("BACKEND_KEYS", backendKeys);
        var defaults = Parse(With("max_connections: 4000", "retries: 3")).Proxy!;
        var set = Parse(With("threads: 2\n  splice: false", "smart_connect: true")).Proxy!;

        Assert.Equal((0, true, false), (defaults.Threads, defaults.Splice, defaults.Backends[0].SmartConnect));
        Assert.Equal((2, false, true), (set.Threads, set.Splice, set.Backends[0].SmartConnect));
    }

    [Fact]
    public void MoreThanSixtyFourProxyThreads_IsAnErrorNamingTheKey()
    {
        var error = SingleError("proxy:\n  threads: 65\n  frontends: []\n  backends: []\n");

        Assert.Contains("proxy.threads", error.ToString());
    }

    [Fact]
    public void PerNodeValuesAreSelectedByNodeName()
    {
        Assert.Equal(99, Parse(Seed, "master2").VrrpInstances[0].Options.Priority);
    }

    [Fact]
    public void ANodeWithoutItsOwnBlockKeepsTheInstanceDefaults()
    {
        Assert.Equal(100, Parse(Seed, "master9").VrrpInstances[0].Options.Priority);
    }

    [Fact]
    public void KeepalivedDefaultsApplyWhenKeysAreOmitted()
    {
        var o = Parse("""
            vrrp:
              instances:
                - name: a
                  virtual_router_id: 1
                  virtual_addresses: [ 192.0.2.1 ]
            """).VrrpInstances[0].Options;
        Assert.Equal(100, o.Priority);
        Assert.Equal(IPAddress.Parse("224.0.0.18"), o.MulticastGroup);
        Assert.Equal(32, o.VirtualAddresses[0].PrefixLength);
        Assert.Equal(VrrpAuthType.None, o.AuthType);
        Assert.Equal(5, o.GarpMasterRepeat);
        Assert.Equal(TimeSpan.FromSeconds(5), o.GarpMasterDelay);
    }

    [Fact]
    public void AnUnknownKeyIsAnErrorWithFileLineAndASuggestion()
    {
        var e = SingleError(Seed.Replace("interface: eth0", "interfase: eth0", StringComparison.Ordinal));
        Assert.Equal("test.yaml", e.File);
        Assert.Equal(4, e.Line);
        Assert.Equal("vrrp.instances[0].interfase", e.Key);
        Assert.Contains("did you mean 'interface'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownTopLevelSectionIsAnError()
    {
        var e = SingleError("vrrrp: {}\n");
        Assert.Equal("vrrrp", e.Key);
        Assert.Contains("did you mean 'vrrp'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMisspeltNodeKeyIsAnErrorEvenForAnotherNode()
    {
        var e = SingleError(Seed.Replace("master2: { priority: 99 }", "master2: { priorty: 99 }", StringComparison.Ordinal));
        Assert.Equal("vrrp.instances[0].nodes.master2.priorty", e.Key);
    }

    [Theory]
    [InlineData("virtual_router_id: 167", "virtual_router_id: 256", "virtual_router_id", "256 is out of range 1..255")]
    [InlineData("virtual_router_id: 167", "virtual_router_id: abc", "virtual_router_id", "'abc' is not a whole number")]
    [InlineData("advert_int: 1s", "advert_int: 1", "advert_int", "'1' is not a duration; use a number with a unit")]
    [InlineData("advert_int: 1s", "advert_int: 1.5s", "advert_int", "VRRPv2 carries whole seconds")]
    [InlineData("advert_int: 1s", "advert_int: 300s", "advert_int", "300s is out of range 1s..255s")]
    [InlineData("multicast_group: 224.0.0.19", "multicast_group: 10.0.0.1", "multicast_group", "10.0.0.1 is not a multicast address")]
    [InlineData("multicast_group: 224.0.0.19", "multicast_group: ff02::12", "multicast_group", "is not an IPv4 address")]
    [InlineData("[ 10.10.102.242/24 ]", "[ 10.10.102.242/33 ]", "virtual_addresses[0]", "is not an IPv4 address with an optional /prefix")]
    [InlineData("[ 10.10.102.242/24 ]", "[ 10.10.102.242, 10.10.102.242/24 ]", "virtual_addresses[1]", "10.10.102.242 is listed twice")]
    [InlineData("[ 10.10.102.242/24 ]", "[ ]", "virtual_addresses", "at least one virtual address is needed")]
    [InlineData("password: \"1111\"", "password: \"123456789\"", "authentication.password", "a longer one would be truncated")]
    [InlineData("type: pass, password: \"1111\"", "type: pass", "authentication.password", "type pass needs a password")]
    [InlineData("type: pass, password: \"1111\"", "type: ah, password: \"1111\"", "authentication.type", "'ah' is not one of: none, pass")]
    [InlineData("interface: eth0", "interface: a-very-long-interface", "interface", "1 to 15 characters")]
    [InlineData("interface: eth0", "interface: eth0\n      preempt: maybe", "preempt", "'maybe' is not a boolean")]
    [InlineData("interface: eth0", "interface: eth0\n      preempt_delay: 2000s", "preempt_delay", "out of range 0s..1000s")]
    [InlineData("interface: eth0", "interface: eth0\n      unicast: { peers: [ 10.0.0.300 ] }", "unicast.peers[0]", "'10.0.0.300' is not an IP address")]
    [InlineData("interface: eth0", "interface: eth0\n      garp: { master_repeat: 0 }", "garp.master_repeat", "0 is out of range 1..255")]
    public void ABadValueIsRejectedWithItsKeyAndAClearMessage(string from, string to, string key, string message)
    {
        var e = SingleError(Seed.Replace(from, to, StringComparison.Ordinal));
        Assert.Equal($"vrrp.instances[0].{key}", e.Key);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public void AMissingVirtualRouterIdIsAnError()
    {
        var e = SingleError(Seed.Replace("      virtual_router_id: 167\n", "", StringComparison.Ordinal));
        Assert.Equal("vrrp.instances[0].virtual_router_id", e.Key);
        Assert.Contains("required value is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoInstancesWithTheSameVridOnOneInterfaceAreRejected()
    {
        var yaml = Seed + """

                - name: Other
                  interface: eth0
                  virtual_router_id: 167
                  multicast_group: 224.0.0.19
                  virtual_addresses: [ 10.10.102.243 ]
            """;
        var e = SingleError(yaml);
        Assert.Equal("vrrp.instances[1].virtual_router_id", e.Key);
        Assert.Contains("already used on eth0 by instance 'CloudCore'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASyntaxErrorNamesTheLine()
    {
        var e = SingleError("vrrp:\n  instances: [\n");
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 2);
    }

    [Fact]
    public void EveryErrorIsReportedNotJustTheFirst()
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(Seed
            .Replace("virtual_router_id: 167", "virtual_router_id: 0", StringComparison.Ordinal)
            .Replace("advert_int: 1s", "advert_int: 2", StringComparison.Ordinal)));
        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void UnicastPeersDropTheNodesOwnSource()
    {
        var o = Parse(Seed.Replace("master1: { priority: 100 }", "master1: { priority: 100, unicast_source: 10.10.102.11 }", StringComparison.Ordinal)
            .Replace("interface: eth0", "interface: eth0\n      unicast: { peers: [ 10.10.102.11, 10.10.102.12 ] }", StringComparison.Ordinal)).VrrpInstances[0].Options;
        Assert.Equal([IPAddress.Parse("10.10.102.12")], o.UnicastPeers);
        Assert.Equal(IPAddress.Parse("10.10.102.11"), o.UnicastSourceAddress);
    }

    [Fact]
    public void AMissingFileIsReportedWithItsPath()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/cloudcore-lb.yaml"));
        Assert.Contains("/nonexistent/cloudcore-lb.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read the file", ex.Message, StringComparison.Ordinal);
    }
}
