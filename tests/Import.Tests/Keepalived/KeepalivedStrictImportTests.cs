using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Import.Tests.Keepalived;

public sealed class KeepalivedStrictImportTests : IDisposable
{
    private const string Instance = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n";
    private const string Vip = " virtual_ipaddress {\n  192.0.2.18/24\n }\n}\n";

    private readonly ImportTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void VrrpStrict_BecomesVrrpStrict_AndAPasswordKeepalivedWouldIgnoreIsLeftOutWithAWarning()
    {
        var (yaml, diagnostics) = Import("global_defs {\n vrrp_strict\n}\n" + Instance + " authentication {\n  auth_type PASS\n  auth_pass 1111\n }\n" + Vip);

        Assert.Contains("strict: true", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("authentication", yaml, StringComparison.Ordinal);
        Assert.Contains("keepalived ignores authentication under vrrp_strict", Assert.Single(diagnostics.Warnings).Message, StringComparison.Ordinal);
        var config = ConfigLoader.Parse(yaml, "strict.yaml", "lb01");
        Assert.Single(config.VrrpInstances);
    }

    [Fact]
    public void VrrpStrictWithUnicastPeers_IsNotCarried_BecauseOurStrictModeRefusesUnicast()
    {
        var (yaml, diagnostics) = Import("global_defs {\n vrrp_strict\n}\n" + Instance + " unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n" + Vip);

        Assert.DoesNotContain("strict:", yaml, StringComparison.Ordinal);
        Assert.Contains("vrrp_strict is not carried over", Assert.Single(diagnostics.Warnings).Message, StringComparison.Ordinal);
        Assert.Single(ConfigLoader.Parse(yaml, "strict.yaml", "lb01").VrrpInstances);
    }

    [Theory]
    [InlineData("global_defs {\n vrrp_higher_prio_send_advert off\n}\n", "", false)]
    [InlineData("", " higher_prio_send_advert false\n", false)]
    [InlineData("global_defs {\n vrrp_higher_prio_send_advert off\n}\n", " higher_prio_send_advert\n", true)]
    [InlineData("", "", true)]
    public void HigherPrioSendAdvert_IsCarriedOnlyWhenWrittenOff(string globals, string line, bool expected)
    {
        var (yaml, diagnostics) = Import(globals + Instance + line + Vip);

        Assert.Empty(diagnostics.Warnings);
        Assert.Equal(!expected, yaml.Contains("higher_priority_send_advert: false", StringComparison.Ordinal));
        var o = Assert.Single(ConfigLoader.Parse(yaml, "advert.yaml", "lb01").VrrpInstances).Options;
        Assert.Equal(expected, o.HigherPrioritySendAdvert);
    }

    private (string Yaml, ImportDiagnostics Diagnostics) Import(string keepalived) => _files.ImportKeepalived(keepalived);
}
