using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Import.Tests.Keepalived;

public sealed class KeepalivedVersion3ImportTests : IDisposable
{
    private readonly ImportTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("global_defs {\n vrrp_version 3\n vrrp_mcast_group4 224.0.0.19\n vrrp_mcast_group6 ff02::12\n}\n", " advert_int 0.1\n accept\n", "advert_int: 100ms")]
    [InlineData("", " version 3\n advert_int 0.05\n", "advert_int: 50ms")]
    [InlineData("global_defs {\n vrrp_version 3\n}\n", " advert_int 1\n", "advert_int: 1s")]
    public void AVersion3InstanceImportsWithoutWarningsAndPassesTheCheck(string globals, string lines, string expected)
    {
        var (yaml, diagnostics) = Import(globals + "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n" + lines + " virtual_ipaddress {\n  192.0.2.18/24\n }\n}\n");

        Assert.Empty(diagnostics.Warnings);
        Assert.Contains("version: 3", yaml, StringComparison.Ordinal);
        Assert.Contains(expected, yaml, StringComparison.Ordinal);
        var o = Assert.Single(ConfigLoader.Parse(yaml, "v3.yaml", "lb01").VrrpInstances).Options;
        Assert.Equal(3, o.Version);
    }

    [Fact]
    public void AFractionalIntervalInVersion2IsStillRoundedWithAWarning()
    {
        var (yaml, diagnostics) = Import("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n advert_int 0.5\n virtual_ipaddress {\n  192.0.2.18/24\n }\n}\n");

        Assert.Contains("advert_int 0.5 is not whole seconds", string.Join("\n", diagnostics.Items), StringComparison.Ordinal);
        Assert.Contains("advert_int: 1s", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("version:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAcceptAndAuthenticationInVersion3AreSaidToBeNotCarried()
    {
        var (yaml, diagnostics) = Import("global_defs {\n vrrp_version 3\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n no_accept\n authentication {\n  auth_type PASS\n  auth_pass 1111\n }\n virtual_ipaddress {\n  192.0.2.18/24\n }\n}\n");

        var all = string.Join("\n", diagnostics.Items);
        Assert.Contains("no_accept is not carried over", all, StringComparison.Ordinal);
        Assert.Contains("VRRPv3 has none", all, StringComparison.Ordinal);
        Assert.Single(ConfigLoader.Parse(yaml, "v3.yaml", "lb01").VrrpInstances);
    }

    [Theory]
    [InlineData("global_defs {\n vrrp_version 3\n vrrp_mcast_group6 ff02::112\n}\n", "ff02::112")]
    [InlineData("global_defs {\n vrrp_mcast_group4 224.0.0.19\n}\n", "ff02::12")]
    public void AnIPv6InstanceImportsAsVersion3WithItsGroup_WithoutWarnings_AndPassesTheCheck(string globals, string group)
    {
        var (yaml, diagnostics) = Import(globals + "vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 52\n priority 100\n advert_int 1\n virtual_ipaddress {\n  fd00:102::242/64\n }\n}\n");

        Assert.Empty(diagnostics.Warnings);
        Assert.Contains("version: 3", yaml, StringComparison.Ordinal);
        var o = Assert.Single(ConfigLoader.Parse(yaml, "v6.yaml", "lb01").VrrpInstances).Options;
        Assert.True(o.IsIPv6);
        Assert.Equal(System.Net.IPAddress.Parse(group), o.AdvertGroup);
    }

    private (string Yaml, ImportDiagnostics Diagnostics) Import(string keepalived) => _files.ImportKeepalived(keepalived);
}
