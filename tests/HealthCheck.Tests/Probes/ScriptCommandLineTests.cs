using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class ScriptCommandLineTests
{
    [Theory]
    [InlineData("/etc/keepalived/health_check.sh", new[] { "/etc/keepalived/health_check.sh" })]
    [InlineData("  /bin/check   a\tb  ", new[] { "/bin/check", "a", "b" })]
    [InlineData("/bin/check \"a b\" 'c d'", new[] { "/bin/check", "a b", "c d" })]
    [InlineData("/bin/check a\"b c\"'d'", new[] { "/bin/check", "ab cd" })]
    [InlineData("/bin/check 'a\\nb' \"a\\tb\" a\\ b", new[] { "/bin/check", "a\\nb", "a\tb", "a b" })]
    [InlineData("/bin/check \"say \\\"hi\\\"\" \\x41\\101", new[] { "/bin/check", "say \"hi\"", "AA" })]
    [InlineData("/bin/check \"c'd\"", new[] { "/bin/check", "c'd" })]
    public void Split_HonoursQuotesAndEscapes(string line, string[] expected) =>
        Assert.Equal(expected, ScriptCommandLine.Split(line));

    [Theory]
    [InlineData("/bin/check 'open", "unterminated single quote")]
    [InlineData("/bin/check \"open", "unterminated double quote")]
    [InlineData("   ", "empty")]
    public void Split_RejectsBrokenLines(string line, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => ScriptCommandLine.Split(line)).Message);
}
