using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Tests.Conversion;

public sealed class ImportConverterCommandTests
{
    private readonly ImportDiagnostics _diagnostics = new();

    private string Convert(string keepalived, Func<string, string?> resolve)
    {
        var lines = KeepalivedLexer.ForFiles(_diagnostics).ReadText("k.conf", keepalived);
        var config = new KeepalivedParser(_diagnostics).Parse("k.conf", lines);
        var options = new ImportOptions { ReadScript = _ => null, ResolveCommand = resolve };
        return new ImportConverter(options, _diagnostics).Convert([config], null);
    }

    private string AllDiagnostics => string.Join("\n", _diagnostics.Items);

    private const string Instance = "vrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n }\n track_script {\n  chk\n }\n}\n";

    [Fact]
    public void AScriptNamedWithoutAPathIsWrittenWithThePathKeepalivedWouldFindAndANote()
    {
        var yaml = Convert("vrrp_script chk {\n script \"killall -0 'my sshd'\"\n}\n" + Instance, name => name == "killall" ? "/usr/bin/killall" : null);

        Assert.Contains("script: \"/usr/bin/killall -0 'my sshd'\"  # keepalived 'killall', found on the importing machine's PATH", yaml);
        Assert.Contains("k.conf:1: note: vrrp_script chk: 'killall' resolved on PATH to /usr/bin/killall", AllDiagnostics);
    }

    [Fact]
    public void AScriptNotFoundOnThePathIsKeptAsWrittenWithAWarningThatSaysWhatToDo()
    {
        var yaml = Convert("vrrp_script chk {\n script \"pidof cloudcore\"\n}\n" + Instance, _ => null);

        Assert.Contains("script: \"pidof cloudcore\"\n", yaml);
        Assert.Contains("k.conf:1: warning: vrrp_script chk: 'pidof' has no path and is not on this machine's PATH", AllDiagnostics);
        Assert.Contains("write the full path", AllDiagnostics);
    }

    [Fact]
    public void AnAbsoluteScriptIsNotSearched()
    {
        var yaml = Convert("vrrp_script chk {\n script /usr/local/bin/chk\n}\n" + Instance, name => throw new InvalidOperationException($"searched for {name}"));
        Assert.Contains("script: /usr/local/bin/chk\n", yaml);
    }

    [Fact]
    public void ANotifyCommandIsResolvedLikeAScript()
    {
        var yaml = Convert("vrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n }\n notify_master \"logger became master\"\n}\n", name => name == "logger" ? "/usr/bin/logger" : null);
        Assert.Contains("master: \"/usr/bin/logger became master\"  # keepalived 'logger', found on the importing machine's PATH", yaml);
    }

    [Fact]
    public void TheGenericNotifyBecomesNotifyAnyWithoutAWarning()
    {
        var yaml = Convert("vrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n }\n notify /usr/local/bin/on-change\n}\n", _ => null);

        Assert.Contains("any: /usr/local/bin/on-change\n", yaml);
        Assert.DoesNotContain("notify", string.Join("\n", _diagnostics.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("</dev/tcp/127.0.0.1/80", "127.0.0.1:80")]
    [InlineData("bash -c '</dev/tcp/127.0.0.1/443'", "127.0.0.1:443")]
    [InlineData("/bin/sh -c '</dev/tcp/::1/25'", "[::1]:25")]
    [InlineData("nc -z 10.0.0.5 10000", "10.0.0.5:10000")]
    public void AConnectTestScriptBecomesTheNativeTcpCheck(string script, string address)
    {
        var yaml = Convert($"vrrp_script chk {{\n script \"{script}\"\n interval 2\n weight -2\n}}\n" + Instance, _ => null);

        Assert.Contains($"    type: tcp\n    address: {(address.StartsWith('[') ? $"\"{address}\"" : address)}\n    interval: 2s\n", yaml);
        Assert.Contains("weight: -2", yaml);
        Assert.DoesNotContain("type: exec", yaml);
        Assert.Contains($"is a connect test; imported as the native tcp check on {address}", AllDiagnostics);
    }

    [Theory]
    [InlineData("</dev/tcp/localhost/80")]
    [InlineData("nc -z -w1 10.0.0.5 10000")]
    [InlineData("bash -c '</dev/tcp/127.0.0.1/80 && echo up'")]
    public void ACommandThatIsNotExactlyAConnectTestStaysAScript(string script)
    {
        var yaml = Convert($"vrrp_script chk {{\n script \"{script}\"\n}}\n" + Instance, _ => null);
        Assert.Contains("type: exec", yaml);
    }
}
