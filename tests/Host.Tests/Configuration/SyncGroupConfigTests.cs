using System.Net;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Tests.Configuration;

/// <summary><c>vrrp.sync_groups</c>, <c>track_interfaces</c> and a VIP's <c>dev</c> as the loader reads and refuses them.</summary>
public sealed class SyncGroupConfigTests
{
    private const string TwoInstances = """
        vrrp:
          instances:
            - name: VI_1
              interface: eth0
              virtual_router_id: 51
              virtual_addresses: [ 10.0.0.10/24 ]
              track_interfaces: [ eth1, { interface: eth2, weight: -20 } ]
            - name: VI_2
              interface: eth0
              virtual_router_id: 52
              virtual_addresses: [ "10.1.0.10/24 dev eth1" ]
          sync_groups:
        GROUPS
        """;

    private static CloudCoreLbConfig Parse(string groups) =>
        ConfigLoader.Parse(TwoInstances.Replace("GROUPS", groups), "test.yaml", "master1");

    private static ConfigError SingleError(string groups) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Parse(groups)).Errors);

    [Fact]
    public void ASyncGroup_TrackedInterfacesAndAVipDev_AreRead()
    {
        var config = Parse("    - { name: VG_1, instances: [ VI_1, VI_2 ] }");

        var group = Assert.Single(config.VrrpSyncGroups);
        Assert.Equal("VG_1", group.Name);
        Assert.Equal(["VI_1", "VI_2"], group.Instances);
        Assert.Equal([new VrrpTrackedInterface("eth1"), new VrrpTrackedInterface("eth2", -20)], config.VrrpInstances[0].Options.TrackedInterfaces);
        Assert.Equal(new VirtualAddress(IPAddress.Parse("10.1.0.10"), 24, "eth1"), Assert.Single(config.VrrpInstances[1].Options.VirtualAddresses));
    }

    [Fact]
    public void AGroupsNotifyHooks_AreRead()
    {
        var group = Assert.Single(Parse("    - name: VG_1\n      instances: [ VI_1, VI_2 ]\n      notify: { master: /bin/true, any: /bin/echo }").VrrpSyncGroups);

        Assert.Equal(new NotifyCommands("/bin/true", null, null, null, "/bin/echo"), group.Notify);
    }

    [Fact]
    public void AnUnknownInstance_IsAnErrorAtItsLine()
    {
        var error = SingleError("    - { name: VG_1, instances: [ VI_1, VI_3 ] }");

        Assert.Equal(("test.yaml", 13, "vrrp.sync_groups[0].instances[1]"), (error.File, error.Line, error.Key));
        Assert.Contains("no instance named 'VI_3'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInstanceInTwoGroups_IsAnErrorNamingTheOtherGroupAndItsLine()
    {
        var error = SingleError("    - { name: VG_1, instances: [ VI_1 ] }\n    - { name: VG_2, instances: [ VI_2, VI_1 ] }");

        Assert.Equal((14, "vrrp.sync_groups[1].instances[1]"), (error.Line, error.Key));
        Assert.Contains("already in sync group 'VG_1' (line 13)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    - { name: VG_1, instances: [] }", "at least one instance")]
    [InlineData("    - { instances: [ VI_1 ] }", "required value is missing")]
    [InlineData("    - { name: VG_1, instances: [ VI_1 ] }\n    - { name: VG_1, instances: [ VI_2 ] }", "already used")]
    [InlineData("    - { name: VG_1, members: [ VI_1 ] }", "members")]
    public void AMalformedGroup_IsRefused(string groups, string expected)
    {
        var errors = Assert.Throws<ConfigException>(() => Parse(groups)).Errors;

        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ABadTrackedInterfaceWeightOrVipDev_IsAnErrorAtTheKey()
    {
        var weight = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            TwoInstances.Replace("weight: -20", "weight: -300").Replace("GROUPS", "    []"), "test.yaml", "m")).Errors);
        var dev = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            TwoInstances.Replace("dev eth1", "device eth1").Replace("GROUPS", "    []"), "test.yaml", "m")).Errors[0];

        Assert.Equal(("vrrp.instances[0].track_interfaces[1]", 7), (weight.Key, weight.Line));
        Assert.Contains("out of range -253..253", weight.Message, StringComparison.Ordinal);
        Assert.Equal(("vrrp.instances[1].virtual_addresses[0]", 11), (dev.Key, dev.Line));
        Assert.Contains("optional 'dev INTERFACE'", dev.Message, StringComparison.Ordinal);
    }
}
