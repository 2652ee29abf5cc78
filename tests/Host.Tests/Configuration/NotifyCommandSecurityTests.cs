using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class NotifyCommandSecurityTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-notify-check-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string WorldWritableScript(string name)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        return path;
    }

    private static string Config(string notify) => $$"""
        vrrp:
          instances:
            - name: CloudCore
              interface: eth0
              virtual_router_id: 167
              virtual_addresses: [ 10.10.102.242/24 ]
              notify:
                {{notify}}
        """;

    [Fact]
    public void ACommandRunningASystemBinaryIsAccepted() =>
        Assert.Empty(NotifyCommandSecurity.Validate("/bin/true --ignored 'two words'", searchPath: null));

    [Fact]
    public void ABareCommandNameIsCheckedWhereItResolvesOnPath()
    {
        WorldWritableScript("chk");

        var problem = Assert.Single(NotifyCommandSecurity.Validate("chk MASTER", _dir.FullName), p => p.Contains("writable by group or others", StringComparison.Ordinal));

        Assert.Contains(Path.Combine(_dir.FullName, "chk"), problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AShellBuiltinFoundNowhereOnPathRunsNoFileAndIsNotChecked() =>
        Assert.Empty(NotifyCommandSecurity.Validate("exit 0", _dir.FullName));

    [Fact]
    public void AMissingScriptIsReported() =>
        Assert.Contains(NotifyCommandSecurity.Validate(Path.Combine(_dir.FullName, "absent.sh"), null), p => p.Contains("file not found", StringComparison.Ordinal));

    [Fact]
    public void AnUnclosedQuoteIsReportedNotThrown() =>
        Assert.Contains("notify command", Assert.Single(NotifyCommandSecurity.Validate("/bin/echo 'open", null)), StringComparison.Ordinal);

    [Fact]
    public void TheConfigRejectsAWorldWritableNotifyScriptNamingTheKeyAndLine()
    {
        var script = WorldWritableScript("to-master.sh");

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Config($"master: {script}"), "test.yaml", "node1"));

        var error = Assert.Single(ex.Errors, e => e.Message.Contains("writable by group or others", StringComparison.Ordinal));
        Assert.Equal(8, error.Line);
        Assert.Contains("notify.master", error.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConfigAcceptsNotifyCommandsThatRunSafeFiles()
    {
        var config = ConfigLoader.Parse(Config("master: /bin/true\n        any: logger -t cloudcore-lb"), "test.yaml", "node1");

        Assert.Equal("/bin/true", Assert.Single(config.VrrpInstances).Notify.Master);
    }
}
