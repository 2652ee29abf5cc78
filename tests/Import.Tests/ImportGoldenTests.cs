using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Import.Tests;

/// <summary>
/// The KubeEdge HA guide's keepalived.conf (master and backup) and haproxy.cfg, with {masterN.ip} filled with
/// 10.10.102.11-13, imported into golden/seed.yaml. Set UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change.
/// </summary>
public sealed class ImportGoldenTests
{
    private static readonly string Golden = ImportTestFiles.GoldenDirectory();

    private static (string Yaml, ImportDiagnostics Diagnostics) ImportSeed(params string[] keepalived)
    {
        var diagnostics = new ImportDiagnostics();
        var options = new ImportOptions
        {
            // The guide installs its script at this path; the test reads the guide's copy instead of the host's /etc.
            ReadScript = path => path == "/etc/keepalived/health_check.sh" ? File.ReadAllText(Path.Combine(Golden, "health_check.sh")) : null,
        };
        var yaml = Importer.Run(keepalived.Select(k => Path.Combine(Golden, k)).ToList(), Path.Combine(Golden, "haproxy.cfg"), options, diagnostics);
        return (yaml, diagnostics);
    }

    [Fact]
    public void TheSeedFilesImportToTheGoldenYaml()
    {
        var (yaml, _) = ImportSeed("keepalived.master.conf", "keepalived.backup.conf");
        var goldenPath = Path.Combine(Golden, "seed.yaml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, yaml);
        }

        Assert.Equal(File.ReadAllText(goldenPath), yaml);
    }

    [Fact]
    public void TheSeedImportWarnsAboutTheGrepScriptAndTheHashRemapButNeverShowsThePassword()
    {
        var (_, diagnostics) = ImportSeed("keepalived.master.conf", "keepalived.backup.conf");
        var text = string.Join("\n", diagnostics.Items);

        Assert.Contains("keepalived.master.conf:8: warning: vrrp_script health_check: health_check.sh greps netstat/ss output for 10000", text);
        Assert.Equal(4, diagnostics.Warnings.Count(w => w.Message.Contains("'balance source' without 'hash-type consistent'")));
        Assert.DoesNotContain("1111", text);
    }

    [Fact]
    public void TheGoldenYamlPassesTheConfigurationCheck()
    {
        // The imported exec check points at the master's /etc/keepalived/health_check.sh; here a copy stands in for
        // it (mode 0755 in a private directory), because a missing script is rightly a configuration error.
        var dir = Directory.CreateTempSubdirectory("cloudcore-lb-golden-");
        try
        {
            var script = Path.Combine(dir.FullName, "health_check.sh");
            File.Copy(Path.Combine(Golden, "health_check.sh"), script);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var runAs = Environment.IsPrivilegedProcess ? "" : $"\n    user: {Environment.UserName}";
            var yaml = File.ReadAllText(Path.Combine(Golden, "seed.yaml"))
                .Replace("script: /etc/keepalived/health_check.sh", $"script: {script}{runAs}", StringComparison.Ordinal);

            var config = ConfigLoader.Parse(yaml, "seed.yaml", "lb02");

            var instance = Assert.Single(config.VrrpInstances);
            Assert.Equal(99, instance.Options.Priority);
            Assert.Equal("health_check", Assert.Single(instance.Tracks).Check);
            Assert.Equal(4, config.Proxy!.Frontends.Count);
            Assert.All(config.Proxy.Backends, b => Assert.Equal(3, b.Servers.Count));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void OneNodesFilePutsThePriorityOnTheInstanceWithTheStateAsAComment()
    {
        var (yaml, _) = ImportSeed("keepalived.backup.conf");
        Assert.Contains("      priority: 99  # keepalived 'state BACKUP': a start hint only, the priority decides\n", yaml);
        Assert.DoesNotContain("nodes:", yaml);
    }

    [Fact]
    public void NodeFilesThatDisagreeOnSharedValuesAreWarned()
    {
        using var files = new ImportTestFiles();
        var a = files.Write("a.conf", "vrrp_instance V {\n virtual_router_id 1\n priority 100\n unicast_src_ip 10.0.0.1\n unicast_peer {\n  10.0.0.2\n }\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n");
        var b = files.Write("b.conf", "vrrp_instance V {\n virtual_router_id 2\n priority 90\n unicast_src_ip 10.0.0.2\n unicast_peer {\n  10.0.0.1\n }\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n");
        var diagnostics = new ImportDiagnostics();

        var yaml = Importer.Run([a, b], null, new ImportOptions(), diagnostics);

        Assert.Contains("b.conf:1: warning: vrrp_instance V: virtual_router_id differs from a.conf:1", string.Join("\n", diagnostics.Items));
        Assert.Contains("unicast: { peers: [ 10.0.0.2, 10.0.0.1 ] }", yaml);
        Assert.Contains("a: { priority: 100, unicast_source: 10.0.0.1 }", yaml);
        Assert.Contains("b: { priority: 90, unicast_source: 10.0.0.2 }", yaml);
    }
}
