using System.Text;
using CloudCoreLb.Fuzz.Targets;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Fuzz.Tests.Regressions;

/// <summary>
/// Inputs the fuzzer found that made the config loader throw something other than a <see cref="ConfigException"/>
/// naming file and line: <c>cloudcore-lb check</c> and a reload died with a stack trace instead.
/// </summary>
public sealed class ConfigLoaderRegressions
{
    private const string File = "/etc/cloudcore-lb/cloudcore-lb.yaml";

    [Fact]
    public void AFlowMappingMissingItsClosingBrace_IsASyntaxErrorWithItsLine_NotAnInvalidOperationException()
    {
        // YamlDotNet 16 throws InvalidOperationException from ScanPlainScalar here, not a YamlException.
        var error = Rejected("vrrp: {instances: 1\ncontrol:\n");

        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line); // where the unclosed '{' opens
    }

    [Fact]
    public void AStrayColonLineInsideASequence_IsASyntaxErrorWithItsLine_NotAnArgumentException()
    {
        // YamlDotNet 16: "The current event is of an unsupported type" (ArgumentException) from YamlNode.ParseNode.
        var error = Rejected("vrrp:\n instances:\n  - name[x\n :\n metrics: 1\n");

        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Line, 3, 5);
    }

    [Fact]
    public void ANulInAnExecCheckScriptPath_IsAConfigError_NotAnArgumentExceptionFromTheFileApi()
    {
        // Found through the keepalived importer: a script "/bin/a\0b" came out as the YAML escape "\x00".
        var error = Rejected("checks:\n  probe:\n    type: exec\n    script: \"/bin/a\\x00b\"\n");

        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line); // the check's settings, where every script problem is reported
    }

    [Theory]
    [InlineData("\"/run/a\\x00b.sock\"")]
    [InlineData("/run/cloudcore-lb/a-control-socket-path-that-is-longer-than-the-one-hundred-and-seven-bytes-of-sun-path.sock")]
    public void AControlSocketPathTheDaemonCannotBind_IsAConfigError_NotACrashAtStart(string socket)
    {
        var error = Rejected($"control:\n  socket: {socket}\n");

        Assert.Equal("control.socket", error.Key);
        Assert.Equal(2, error.Line);
    }

    private static ConfigError Rejected(string yaml)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, File, "node1"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(File, error.File);

        // And the fuzz target, with its invariants, takes it too.
        Assert.Equal(Fuzz.Engine.FuzzOutcome.Rejected, new ConfigTarget().Run(Encoding.UTF8.GetBytes(yaml)));
        return error;
    }
}
