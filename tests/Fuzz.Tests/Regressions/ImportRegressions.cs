using System.Text;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Fuzz.Targets;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Import;
using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Haproxy;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Fuzz.Tests.Regressions;

/// <summary>Inputs the fuzzer found that the importers rejected without a line, or turned into YAML nothing can read.</summary>
public sealed class ImportRegressions
{
    private const string Keepalived = "/etc/keepalived/keepalived.conf";
    private const string Haproxy = "/etc/haproxy/haproxy.cfg";

    [Fact]
    public void AnUnclosedBraceWithoutAKeyword_IsRejectedWithTheLineOfTheBrace_NotLineZero()
    {
        var diagnostics = new ImportDiagnostics();
        var lines = new KeepalivedLexer(diagnostics, _ => "").ReadText(Keepalived, "global_defs {\n}\n\n{ router_id x\n");

        var ex = Assert.Throws<ImportException>(() => new KeepalivedParser(diagnostics).Parse(Keepalived, lines));

        Assert.Equal(4, ex.Line);
        Assert.StartsWith($"{Keepalived}:4: error: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vrrp_instance VI_2: {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress { 10.0.0.1 }\n}\n")]
    [InlineData("vrrp_instance VI_1 {\n interface ens:\n virtual_router_id 51\n virtual_ipaddress { 10.0.0.1 dev ens: label eth0: }\n}\n")]
    public void AWordEndingInAColon_IsQuotedInTheImportedYaml_NotReadAsAKey(string conf)
    {
        var yaml = ImportKeepalived(conf);

        AssertNoYamlSyntaxError(yaml);
        Assert.Equal(FuzzOutcome.Accepted, new KeepalivedTarget().Run(Encoding.UTF8.GetBytes(conf)));
    }

    [Fact]
    public void AControlCharacterInAWordQuotedByAComment_IsEscaped_NotWrittenIntoTheYaml()
    {
        const string cfg = "backend be\n  balance sourc\0\0\u0014 x\n  server s1 10.0.0.9:80 check\n";
        var diagnostics = new ImportDiagnostics();
        var config = new HaproxyParser(diagnostics).Parse(Haproxy, new HaproxyLexer(diagnostics).Read(Haproxy, cfg));
        var yaml = new ImportConverter(ImportChecks.Options, diagnostics).Convert([], config);

        Assert.DoesNotContain('\0', yaml);
        Assert.Contains("\\x00", yaml, StringComparison.Ordinal);
        AssertNoYamlSyntaxError(yaml);
        Assert.Equal(FuzzOutcome.Accepted, new HaproxyTarget().Run(Encoding.UTF8.GetBytes(cfg)));
    }

    [Fact]
    public void ALineSeparatorInAQuotedValue_IsEscaped_SoTheValueSurvivesTheRoundTrip()
    {
        Assert.Equal("\"a\\u2028b\"", YamlEmitter.Str("a\u2028b"));
    }

    private static string ImportKeepalived(string conf)
    {
        var diagnostics = new ImportDiagnostics();
        var lines = new KeepalivedLexer(diagnostics, _ => "").ReadText(Keepalived, conf);
        var config = new KeepalivedParser(diagnostics).Parse(Keepalived, lines);
        return new ImportConverter(ImportChecks.Options, diagnostics).Convert([config], null);
    }

    private static void AssertNoYamlSyntaxError(string yaml)
    {
        try
        {
            ConfigLoader.Parse(yaml, "imported.yaml", "node1");
        }
        catch (ConfigException ex)
        {
            Assert.DoesNotContain(ex.Errors, e => e.Message.StartsWith("YAML syntax error", StringComparison.Ordinal));
        }
    }
}
